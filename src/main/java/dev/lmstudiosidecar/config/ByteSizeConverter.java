package dev.lmstudiosidecar.config;

import org.eclipse.microprofile.config.spi.Converter;

/** Lets {@code @ConfigMapping} fields be {@link ByteSize}. */
public final class ByteSizeConverter implements Converter<ByteSize> {

    @Override
    public ByteSize convert(String value) {
        return ByteSize.parse(value);
    }
}
