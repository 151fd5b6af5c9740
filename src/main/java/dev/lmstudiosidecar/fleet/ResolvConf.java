package dev.lmstudiosidecar.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code /etc/resolv.conf} says about where and how to look names up: its {@code nameserver}s, its
 * {@code search} list and {@code options ndots}. A Kubernetes pod's names CoreDNS (usually
 * {@code 10.96.0.10}), {@code <ns>.svc.cluster.local svc.cluster.local cluster.local} and {@code ndots:5};
 * with them a short Service name such as {@code lmstudio-gpu} resolves as it does for every other program
 * in the pod. Read as resolv.conf(5) says: the last {@code search} or {@code domain} line wins,
 * {@code ndots} is capped at 15, comments start with {@code #} or {@code ;}.
 */
record ResolvConf(List<String> nameservers, List<String> search, int ndots) {

    /** resolv.conf(5)'s default when no {@code options ndots} is given. */
    static final int DEFAULT_NDOTS = 1;
    private static final int MAX_NDOTS = 15;

    static final ResolvConf NONE = new ResolvConf(List.of(), List.of(), DEFAULT_NDOTS);

    ResolvConf {
        nameservers = List.copyOf(nameservers);
        search = List.copyOf(search);
    }

    /** The file's settings; {@link #NONE} when there is no such file. */
    static ResolvConf read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException absent) {
            return NONE;
        }
        return parse(lines);
    }

    static ResolvConf parse(List<String> lines) {
        List<String> nameservers = new ArrayList<>();
        List<String> search = List.of();
        int ndots = DEFAULT_NDOTS;
        for (String line : lines) {
            String[] words = uncommented(line).trim().split("\\s+");
            switch (words[0]) {
                case "nameserver" -> {
                    if (words.length > 1) {
                        nameservers.add(words[1]);
                    }
                }
                case "search", "domain" -> search = Arrays.stream(words, 1, words.length)
                        .map(ResolvConf::withoutTrailingDot).filter(domain -> !domain.isEmpty()).toList();
                case "options" -> ndots = ndots(words, ndots);
                default -> {
                    // sortlist and the like do not decide which names are asked for
                }
            }
        }
        return new ResolvConf(nameservers, search, ndots);
    }

    /**
     * The names to ask for, in order, as the system resolver does: a name ending in a dot is absolute and
     * asked for alone; one with at least {@code ndots} dots is asked for as given first, then with each
     * search domain; a shorter one with each search domain first, then as given.
     */
    List<String> candidates(String name) {
        if (name.endsWith(".")) {
            return List.of(withoutTrailingDot(name));
        }
        List<String> searched = search.stream().map(domain -> name + "." + domain).toList();
        List<String> candidates = new ArrayList<>(searched.size() + 1);
        boolean asGivenFirst = name.chars().filter(c -> c == '.').count() >= ndots;
        if (asGivenFirst) {
            candidates.add(name);
        }
        candidates.addAll(searched);
        if (!asGivenFirst) {
            candidates.add(name);
        }
        return candidates;
    }

    private static String uncommented(String line) {
        int hash = line.indexOf('#');
        int semicolon = line.indexOf(';');
        int end = hash < 0 ? semicolon : semicolon < 0 ? hash : Math.min(hash, semicolon);
        return end < 0 ? line : line.substring(0, end);
    }

    private static int ndots(String[] options, int current) {
        int ndots = current;
        for (String option : options) {
            if (option.startsWith("ndots:")) {
                try {
                    ndots = Math.min(MAX_NDOTS, Math.max(0, Integer.parseInt(option.substring("ndots:".length()))));
                } catch (NumberFormatException ignored) {
                    // the system resolver ignores a malformed option too
                }
            }
        }
        return ndots;
    }

    private static String withoutTrailingDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
