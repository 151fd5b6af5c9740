package dev.lmstudiosidecar.cache;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a native executable must be told about the response cache's Infinispan: it runs embedded without a
 * Quarkus extension (the Quarkiverse one fails on Quarkus 3.33) and Infinispan 16.0 ships no native-image
 * metadata of its own (there is no {@code infinispan-core-graalvm} for it), so nothing else registers the
 * classes it creates or reads by name. The resources it reads (its {@code .proto} schemas, its version file,
 * the {@code META-INF/services} files of the services it loads) are included by the pom's {@code native}
 * profile ({@code quarkus.native.resources.includes}).
 *
 * <p>The list is what a JVM sidecar loaded (-Xlog:class+load) while both tiers started, stored, answered hits
 * and streams, and were emptied, in the kinds of class the Quarkiverse extension registers: interceptors, the
 * file store, its configuration and builder, listeners (their annotated methods are found by reflection),
 * protostream initializers, the module metadata; plus the JBoss Logging implementations that
 * {@code Logger.getMessageLogger} and {@code Messages.getBundle} find by name, and the Caffeine classes that
 * back a tier's bounded container ({@code LocalCacheFactory} and {@code NodeFactory} load them by a name
 * built from the features, then read {@code FACTORY} or a constructor). A change of the tiers' configuration
 * (another store, eviction by count, expiry in Caffeine) or of Infinispan's version can need others: a native
 * build is not run on the development machines, see README "What was verified where".
 */
@RegisterForReflection(classNames = {
        // ServiceLoader services (Quarkus turns native-image's own ServiceLoader support off: the pom's native
        // profile includes their META-INF/services files, these let ServiceLoader create them): the module's
        // components, the configuration parsers, the protostream schemas
        "org.infinispan.CoreModuleImpl",
        "org.infinispan.configuration.parsing.CacheParser",
        "org.infinispan.configuration.parsing.Parser",
        "org.infinispan.commons.GlobalContextInitializerImpl",
        "org.infinispan.commons.api.query.geo.LatLngSchemaImpl",
        "org.infinispan.commons.marshall.PersistenceContextInitializerImpl",
        "org.infinispan.commons.marshall.UserContextInitializerImpl",
        "org.infinispan.counter.api._private.PersistenceContextInitializerImpl",
        "org.infinispan.marshall.persistence.impl.PersistenceContextInitializerImpl",
        "org.infinispan.marshall.protostream.impl.GlobalContextInitializerImpl",
        "org.infinispan.protostream.types.java.CommonContainerTypesSchema",
        "org.infinispan.protostream.types.java.CommonTypesSchema",
        "org.infinispan.protostream.types.protobuf.AnySchemaImpl",
        "org.infinispan.protostream.types.protobuf.DurationSchemaImpl",
        "org.infinispan.protostream.types.protobuf.EmptySchemaImpl",
        "org.infinispan.protostream.types.protobuf.TimestampSchemaImpl",
        "org.infinispan.protostream.types.protobuf.WrappersSchemaImpl",
        // the persistent tier's store, created from its configuration's @ConfigurationFor
        "org.infinispan.persistence.sifs.NonBlockingSoftIndexFileStore",
        "org.infinispan.persistence.sifs.configuration.SoftIndexFileStoreConfiguration",
        "org.infinispan.persistence.sifs.configuration.SoftIndexFileStoreConfigurationBuilder",
        "org.infinispan.configuration.cache.AbstractStoreConfiguration",
        // the interceptor chain of a local, non-transactional cache with a store
        "org.infinispan.interceptors.impl.CacheLoaderInterceptor",
        "org.infinispan.interceptors.impl.CacheMgmtInterceptor",
        "org.infinispan.interceptors.impl.CacheWriterInterceptor",
        "org.infinispan.interceptors.impl.CallInterceptor",
        "org.infinispan.interceptors.impl.EntryWrappingInterceptor",
        "org.infinispan.interceptors.impl.InvalidationInterceptor",
        "org.infinispan.interceptors.impl.InvocationContextInterceptor",
        "org.infinispan.interceptors.impl.TxInterceptor",
        "org.infinispan.interceptors.impl.VersionInterceptor",
        "org.infinispan.interceptors.locking.NonTransactionalLockingInterceptor",
        // @Listener classes: the notifier finds their annotated methods by reflection
        "org.infinispan.container.versioning.RankCalculator",
        "org.infinispan.globalstate.impl.GlobalConfigurationStateListener",
        "org.infinispan.reactive.publisher.impl.PublisherHandler",
        "org.infinispan.transaction.impl.TransactionTable",
        "org.infinispan.xsite.XSiteCacheMapper",
        // JBoss Logging: <interface>_$logger (a constructor) and <interface>_$bundle (its INSTANCE field)
        "org.infinispan.commons.logging.Log_$logger",
        "org.infinispan.persistence.sifs.Log_$logger",
        "org.infinispan.protostream.impl.Log_$logger",
        "org.infinispan.util.logging.Log_$logger",
        "org.infinispan.util.logging.events.Messages_$bundle",
        // Caffeine behind a bounded container: strong keys and values, a listener, a maximum weight
        "com.github.benmanes.caffeine.cache.SS",
        "com.github.benmanes.caffeine.cache.SSL",
        "com.github.benmanes.caffeine.cache.SSLMW",
        "com.github.benmanes.caffeine.cache.PS",
        "com.github.benmanes.caffeine.cache.PSMW",
})
final class InfinispanNativeSupport {

    private InfinispanNativeSupport() {
    }
}
