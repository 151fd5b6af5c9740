package dev.lmstudiosidecar.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What {@link InfinispanNativeSupport} and the pom's {@code native} profile tell a native build stays true of
 * the Infinispan and Caffeine on the classpath: a new version that renames a class or adds a service provider
 * would otherwise only show in a native build, which the development machines cannot run.
 */
class InfinispanNativeSupportTest {

    /** The services Infinispan loads with ServiceLoader while the tiers start. */
    private static final List<String> SERVICES = List.of("org.infinispan.factories.impl.ModuleMetadataBuilder",
            "org.infinispan.configuration.parsing.ConfigurationParser", "org.infinispan.protostream.SerializationContextInitializer");

    private static Set<String> registered() {
        Set<String> names = new TreeSet<>();
        Collections.addAll(names, InfinispanNativeSupport.class.getAnnotation(RegisterForReflection.class).classNames());
        return names;
    }

    @Test
    void everyRegisteredClassExists() {
        Set<String> names = registered();
        assertTrue(names.size() > 40, "the list is there: " + names.size());
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            try {
                Class.forName(name, false, getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void everyProviderOfTheServicesInfinispanLoadsIsRegisteredAndItsFileIncluded() throws IOException {
        Set<String> names = registered();
        String includes = Files.readString(Path.of("pom.xml"));
        List<String> unregistered = new ArrayList<>();
        for (String service : SERVICES) {
            String file = "META-INF/services/" + service;
            assertTrue(includes.contains(file), file + " is in quarkus.native.resources.includes");
            List<URL> copies = Collections.list(getClass().getClassLoader().getResources(file));
            assertTrue(!copies.isEmpty(), file);
            for (URL copy : copies) {
                try (InputStream in = copy.openStream()) {
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(l -> l.replaceAll("#.*", "").strip())
                            .filter(l -> !l.isEmpty() && !names.contains(l)).forEach(unregistered::add);
                }
            }
        }
        assertEquals(List.of(), unregistered);
    }
}
