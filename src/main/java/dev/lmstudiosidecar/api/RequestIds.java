package dev.lmstudiosidecar.api;

import java.util.concurrent.ThreadLocalRandom;

/** Echoes the caller's {@code X-Request-Id} when it is a sane token, else makes one. */
public final class RequestIds {

    private static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    public static String resolve(String incoming) {
        return isAcceptable(incoming) ? incoming : generate();
    }

    /** 128 random bits as hex; ThreadLocalRandom, since ids need to be unique, not unguessable. */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[32];
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 0; i < 16; i++) {
            id[i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xF];
            id[16 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xF];
        }
        return new String(id);
    }

    private static boolean isAcceptable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false; // visible ASCII only: it goes into logs and upstream headers
            }
        }
        return true;
    }
}
