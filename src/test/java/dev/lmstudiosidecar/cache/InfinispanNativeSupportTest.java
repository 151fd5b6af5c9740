package dev.lmstudiosidecar.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The classes {@link InfinispanNativeSupport} registers for a native build exist under those names: a new
 * Infinispan or Caffeine that renames one would otherwise only show in a native build, which the development
 * machines cannot run.
 */
class InfinispanNativeSupportTest {

    @Test
    void everyRegisteredClassExists() {
        String[] names = InfinispanNativeSupport.class.getAnnotation(RegisterForReflection.class).classNames();
        assertTrue(names.length > 40, "the list is there: " + names.length);
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
}
