package dev.lmstudiosidecar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.lmstudiosidecar.config.CloudConfig;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.config.SidecarConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/kubernetes cannot drift from the sidecar it deploys: the Kustomize components and examples are
 * read into fabric8's typed Kubernetes objects (an unknown or misspelt field fails), and checked against the
 * application's own configuration: the management port and health paths of application.properties, the keys
 * and defaults of the config mappings ({@link LMStudioConfig}, {@link SidecarConfig}, {@link CloudConfig}).
 *
 * <p>Each check runs on the raw component patches (always) and, with {@code kubectl} on the PATH, on what
 * {@code kubectl kustomize} renders of each example; without it, the rendering tests are skipped and say so.
 */
class KubernetesManifestsTest {

    private static final Path KUBERNETES = Path.of("deploy/kubernetes");
    private static final Path NATIVE_COMPONENT = KUBERNETES.resolve("components/lmstudio-sidecar");
    private static final Path LEGACY_COMPONENT = KUBERNETES.resolve("components/lmstudio-sidecar-legacy");
    private static final Path MONITORING_COMPONENT = KUBERNETES.resolve("components/lmstudio-sidecar-monitoring");
    private static final List<Path> EXAMPLES = List.of(KUBERNETES.resolve("examples/app"), KUBERNETES.resolve("examples/app-legacy"));
    private static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");

    private static final String SIDECAR = "lmstudio-sidecar";
    private static final String INJECT_LABEL = "lmstudio-sidecar.dev/inject";
    private static final String CONFIG_MAP = "lmstudio-sidecar-config";
    private static final String SECRET = "lmstudio-sidecar";
    private static final String API_PORT_KEY = "quarkus.http.port";

    /** The config mappings and their prefixes: every environment variable the manifests set must name one of their keys. */
    private static final Map<Class<?>, String> MAPPINGS = Map.of(
            LMStudioConfig.class, "lmstudio", SidecarConfig.class, "sidecar", CloudConfig.class, "cloud");
    /**
     * Quarkus' own settings a deployment may set beside the mappings' (none of the manifests does today): an explicit
     * list, so that a misspelt QUARKUS_* variable still fails.
     */
    private static final Set<String> QUARKUS_VARIABLES = Set.of("QUARKUS_LOG_LEVEL", "QUARKUS_LOG_CONSOLE_JSON");
    /** Kinds without a typed fabric8 class here, read as generic resources and checked field by field. */
    private static final Set<String> UNTYPED_KINDS = Set.of("PodMonitor");

    /**
     * {@code sidecar.shutdown.grace-period}'s default: from SIGTERM, requests in flight may finish this long (the
     * drain delay, {@code sidecar.shutdown.drain-delay}, 3s, included). The setting arrives with the graceful-shutdown
     * work; a ConfigMap that sets it is read instead. The pod's grace period must outlast it by {@link #EXIT_MARGIN}.
     */
    private static final Duration SHUTDOWN_GRACE_PERIOD = Duration.ofSeconds(20);
    private static final String SHUTDOWN_GRACE_PERIOD_VARIABLE = "SIDECAR_SHUTDOWN_GRACE_PERIOD";
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(5);
    /** Kubernetes' terminationGracePeriodSeconds when a pod does not set it. */
    private static final long DEFAULT_TERMINATION_GRACE_SECONDS = 30;
    /** What the process itself may take to start and answer its first probe, on top of sidecar.startup.max-wait. */
    private static final Duration PROCESS_START = Duration.ofSeconds(30);

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Optional<Path> KUBECTL = onPath("kubectl");
    private static final String NO_KUBECTL = "kubectl is not on the PATH: `kubectl kustomize` of deploy/kubernetes/examples/* is skipped;"
            + " the other tests check the raw component patches only";

    // ------------------------------------------------------------------------------------------------------------
    // Rendering and parsing

    @Test
    void everyExampleRendersWithKubectlKustomizeIntoTypedObjects() {
        Assumptions.assumeTrue(KUBECTL.isPresent(), NO_KUBECTL);
        for (Path example : EXAMPLES) {
            List<HasMetadata> objects = rendered(example);
            assertFalse(sidecarDeployments(objects).isEmpty(), example + ": no Deployment with the sidecar");
            assertTrue(objects.stream().anyMatch(o -> o instanceof ConfigMap && o.getMetadata().getName().startsWith(CONFIG_MAP + "-")),
                    example + ": the sidecar's ConfigMap, generated with a hash suffix");
        }
    }

    @Test
    void everyRawManifestParsesStrictlyIntoTypedObjects() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(KUBERNETES)) {
            walk.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml")).forEach(files::add);
        }
        assertTrue(files.size() >= 6, "the components' and examples' manifests: " + files);
        for (Path file : files) {
            List<HasMetadata> objects = parse(Files.readString(file), file.toString());
            assertFalse(objects.isEmpty(), file.toString());
        }
    }

    @Test
    void theComponentAddsTheSidecarOnlyToDeploymentsLabelledForInjection(@TempDir Path scratch) throws IOException {
        Assumptions.assumeTrue(KUBECTL.isPresent(), NO_KUBECTL);
        for (Path component : List.of(NATIVE_COMPONENT, LEGACY_COMPONENT)) {
            Path dir = Files.createDirectories(scratch.resolve(component.getFileName()));
            Files.writeString(dir.resolve("deployments.yaml"), """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: labelled, labels: {%s: "true"}}
                    spec:
                      selector: {matchLabels: {app: labelled}}
                      template:
                        metadata: {labels: {app: labelled}}
                        spec: {containers: [{name: app, image: busybox}]}
                    ---
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: other}
                    spec:
                      selector: {matchLabels: {app: other}}
                      template:
                        metadata: {labels: {app: other}}
                        spec: {containers: [{name: app, image: busybox}]}
                    """.formatted(INJECT_LABEL));
            Files.writeString(dir.resolve("kustomization.yaml"), """
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    resources: [deployments.yaml]
                    components: [%s]
                    """.formatted(dir.toAbsolutePath().relativize(component.toAbsolutePath()))); // kustomize takes no absolute path
            Map<String, Deployment> deployments = new LinkedHashMap<>();
            for (HasMetadata object : rendered(dir)) {
                if (object instanceof Deployment d) {
                    deployments.put(d.getMetadata().getName(), d);
                }
            }
            assertTrue(sidecar(deployments.get("labelled")).isPresent(), component + ": the labelled Deployment gets the sidecar");
            PodSpec other = deployments.get("other").getSpec().getTemplate().getSpec();
            assertEquals(List.of("app"), other.getContainers().stream().map(Container::getName).toList(), component + ": the other is untouched");
            assertTrue(other.getInitContainers().isEmpty() && other.getVolumes().isEmpty(), component + ": the other is untouched");
        }
    }

    @Test
    void everyConfigMapAndSecretTheSidecarNamesIsInTheRenderedExample() {
        Assumptions.assumeTrue(KUBECTL.isPresent(), NO_KUBECTL);
        for (Path example : EXAMPLES) {
            List<HasMetadata> objects = rendered(example);
            Set<String> configMaps = names(objects, ConfigMap.class);
            Map<String, Secret> secrets = new LinkedHashMap<>();
            objects.stream().filter(Secret.class::isInstance).map(Secret.class::cast).forEach(s -> secrets.put(s.getMetadata().getName(), s));
            for (Deployment deployment : sidecarDeployments(objects)) {
                PodSpec pod = deployment.getSpec().getTemplate().getSpec();
                for (Volume volume : pod.getVolumes()) {
                    if (volume.getConfigMap() != null) {
                        assertTrue(configMaps.contains(volume.getConfigMap().getName()), example + ": " + volume.getConfigMap().getName());
                    }
                    if (volume.getSecret() != null) {
                        Secret secret = secrets.get(volume.getSecret().getSecretName());
                        assertNotNull(secret, example + ": " + volume.getSecret().getSecretName());
                        volume.getSecret().getItems().forEach(item -> assertTrue(secret.getData().containsKey(item.getKey()), item.getKey()));
                    }
                }
                for (Container container : allContainers(pod)) {
                    for (EnvFromSource from : container.getEnvFrom()) {
                        assertNotNull(from.getConfigMapRef(), "envFrom names ConfigMaps only");
                        assertTrue(configMaps.contains(from.getConfigMapRef().getName()), example + ": " + from.getConfigMapRef().getName());
                    }
                    for (EnvVar env : container.getEnv()) {
                        if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                            Secret secret = secrets.get(env.getValueFrom().getSecretKeyRef().getName());
                            assertNotNull(secret, example + ": " + env.getName());
                            assertTrue(secret.getData().containsKey(env.getValueFrom().getSecretKeyRef().getKey()), example + ": " + env.getName());
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The sidecar in each pod: the raw component patches, and each rendered example

    /** A Deployment with the sidecar, and the ConfigMap data its envFrom reads. */
    record SidecarPod(String source, boolean nativeSidecar, Deployment deployment, Map<String, String> configMap,
            Optional<GenericKubernetesResource> podMonitor) {

        PodSpec pod() {
            return deployment.getSpec().getTemplate().getSpec();
        }

        Container sidecar() {
            return KubernetesManifestsTest.sidecar(deployment).orElseThrow();
        }

        /** What the sidecar's environment holds: the ConfigMap's keys, then env (which wins); a Secret's value is a stand-in. */
        Map<String, String> environment() {
            Map<String, String> environment = new LinkedHashMap<>(configMap);
            for (EnvVar env : sidecar().getEnv()) {
                environment.put(env.getName(), env.getValueFrom() == null ? Objects.toString(env.getValue(), "") : "from-" + env.getName());
            }
            return environment;
        }

        @Override
        public String toString() {
            return source;
        }
    }

    static Stream<SidecarPod> sidecarPods() {
        List<SidecarPod> pods = new ArrayList<>();
        Optional<GenericKubernetesResource> podMonitor = Optional.of((GenericKubernetesResource) parse(
                read(MONITORING_COMPONENT.resolve("podmonitor.yaml")), "podmonitor.yaml").get(0));
        for (Path component : List.of(NATIVE_COMPONENT, LEGACY_COMPONENT)) {
            Deployment patch = (Deployment) parse(read(component.resolve("sidecar.yaml")), component + "/sidecar.yaml").get(0);
            pods.add(new SidecarPod(component + "/sidecar.yaml", component.equals(NATIVE_COMPONENT), patch,
                    generatorLiterals(component.resolve("kustomization.yaml"), CONFIG_MAP), podMonitor));
        }
        if (KUBECTL.isPresent()) {
            for (Path example : EXAMPLES) {
                List<HasMetadata> objects = rendered(example);
                Optional<GenericKubernetesResource> monitor = objects.stream()
                        .filter(o -> o instanceof GenericKubernetesResource g && "PodMonitor".equals(g.getKind()))
                        .map(GenericKubernetesResource.class::cast).findFirst();
                for (Deployment deployment : sidecarDeployments(objects)) {
                    Container sidecar = sidecar(deployment).orElseThrow();
                    Map<String, String> data = new LinkedHashMap<>();
                    for (EnvFromSource from : sidecar.getEnvFrom()) {
                        objects.stream().filter(o -> o instanceof ConfigMap && o.getMetadata().getName().equals(from.getConfigMapRef().getName()))
                                .map(o -> ((ConfigMap) o).getData()).forEach(data::putAll);
                    }
                    boolean nativeSidecar = deployment.getSpec().getTemplate().getSpec().getInitContainers().contains(sidecar);
                    pods.add(new SidecarPod(example + " (rendered): Deployment " + deployment.getMetadata().getName(), nativeSidecar,
                            deployment, data, monitor));
                }
            }
        }
        return pods.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void theNativeVariantIsAnInitContainerThatAlwaysRestartsAndTheLegacyOneAPlainContainer(SidecarPod pod) {
        boolean inInit = pod.pod().getInitContainers().stream().anyMatch(c -> SIDECAR.equals(c.getName()));
        boolean inContainers = pod.pod().getContainers().stream().anyMatch(c -> SIDECAR.equals(c.getName()));
        assertTrue(inInit ^ inContainers, "the sidecar once, in one list");
        if (pod.source().contains("lmstudio-sidecar-legacy") || pod.source().contains("app-legacy")) {
            assertFalse(pod.nativeSidecar());
            assertTrue(inContainers);
            assertNull(pod.sidecar().getRestartPolicy(), "a plain container has no restartPolicy of its own");
        } else {
            assertTrue(pod.nativeSidecar());
            assertTrue(inInit);
            assertEquals("Always", pod.sidecar().getRestartPolicy(), "a native sidecar: restartPolicy Always");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void probesAskTheManagementPortAtTheApplicationsHealthPaths(SidecarPod pod) {
        Container sidecar = pod.sidecar();
        Map<String, String> paths = Map.of(
                "startup", healthPath("startup", "started"),
                "liveness", healthPath("liveness", "live"),
                "readiness", healthPath("readiness", "ready"));
        assertEquals("/q/health/started", paths.get("startup"), "Quarkus' defaults, as the README says");
        Map<String, Probe> probes = Map.of("startup", sidecar.getStartupProbe(), "liveness", sidecar.getLivenessProbe(),
                "readiness", sidecar.getReadinessProbe());
        probes.forEach((kind, probe) -> {
            assertNotNull(probe, kind + " probe");
            HTTPGetAction get = probe.getHttpGet();
            assertNotNull(get, kind + " probe over HTTP");
            assertEquals(paths.get(kind), get.getPath(), kind + " path");
            assertEquals(managementPort(), resolvePort(sidecar, get.getPort()), kind + " port");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void probeTimingsFitTheSidecarsOwnIntervals(SidecarPod pod) {
        SmallRyeConfig config = config(pod.environment());
        SidecarConfig sidecarConfig = config.getConfigMapping(SidecarConfig.class);
        LMStudioConfig lmstudio = config.getConfigMapping(LMStudioConfig.class);
        Container sidecar = pod.sidecar();

        Probe startup = sidecar.getStartupProbe();
        long startupBudget = (long) startup.getPeriodSeconds() * startup.getFailureThreshold();
        assertTrue(startupBudget >= sidecarConfig.startup().maxWait().plus(PROCESS_START).toSeconds(),
                "the startup probe (" + startupBudget + " s) outlasts sidecar.startup.max-wait (" + sidecarConfig.startup().maxWait()
                        + ") plus the process start (" + PROCESS_START + ")");

        Probe liveness = sidecar.getLivenessProbe();
        long failingFor = (long) liveness.getPeriodSeconds() * (liveness.getFailureThreshold() - 1);
        assertTrue(failingFor >= sidecarConfig.liveness().maxEventLoopBlock().toSeconds(),
                "a restart needs the probe failing for " + failingFor + " s: not before sidecar.liveness.max-event-loop-block ("
                        + sidecarConfig.liveness().maxEventLoopBlock() + ")");
        assertTrue(liveness.getTimeoutSeconds() < liveness.getPeriodSeconds());

        Probe readiness = sidecar.getReadinessProbe();
        assertTrue(readiness.getPeriodSeconds() < lmstudio.healthCheckInterval().toSeconds(),
                "readiness is asked more often than the health check (" + lmstudio.healthCheckInterval() + ") changes it");
        assertTrue(readiness.getTimeoutSeconds() < readiness.getPeriodSeconds());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void everyEnvironmentVariableNamesARealSetting(SidecarPod pod) {
        Set<String> unknown = new TreeSet<>();
        for (String name : pod.environment().keySet()) {
            if (!isSetting(name)) {
                unknown.add(name);
            }
        }
        assertTrue(unknown.isEmpty(), "not a key of LMStudioConfig, SidecarConfig or CloudConfig: " + unknown);
        Set<String> expected = Set.of("LMSTUDIO_BASE_URL", "SIDECAR_READINESS_MODE", "SIDECAR_DATA_DIR", "LMSTUDIO_CACHE_SIZE",
                "CLOUD_API_KEY_FILE", "SIDECAR_ADMIN_TOKEN");
        assertTrue(pod.environment().keySet().containsAll(expected), "the settings the manifests promise: " + expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void everySettingConvertsToItsType(SidecarPod pod) {
        SmallRyeConfig config = config(pod.environment()); // fails on a value that does not convert
        LMStudioConfig lmstudio = config.getConfigMapping(LMStudioConfig.class);
        SidecarConfig sidecar = config.getConfigMapping(SidecarConfig.class);
        assertEquals(pod.environment().get("LMSTUDIO_BASE_URL"), lmstudio.baseUrl());
        assertTrue(Set.of("models", "reachable", "always").contains(sidecar.readiness().mode()), sidecar.readiness().mode());
        assertTrue(sidecar.dataDir().isAbsolute(), "the data directory is a mount, not relative to the image's working directory");
        if (pod.environment().containsKey("LMSTUDIO_KEEP_MODELS_WARM")) {
            assertFalse(lmstudio.keepModelsWarm().orElseThrow().isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void theCacheVolumeIsABoundedEmptyDirAtTheDataDirectory(SidecarPod pod) {
        SmallRyeConfig config = config(pod.environment());
        Path dataDir = config.getConfigMapping(SidecarConfig.class).dataDir();
        VolumeMount mount = mountAt(pod.sidecar(), dataDir.toString())
                .orElseThrow(() -> new AssertionError("no volume mounted at sidecar.data-dir " + dataDir));
        assertFalse(Boolean.TRUE.equals(mount.getReadOnly()));
        Volume volume = volume(pod.pod(), mount.getName());
        assertNotNull(volume.getEmptyDir(), "an emptyDir: the cache belongs to the pod");
        Quantity sizeLimit = volume.getEmptyDir().getSizeLimit();
        assertNotNull(sizeLimit, "a sizeLimit");
        long cacheSize = config.getConfigMapping(LMStudioConfig.class).cacheSize().bytes();
        assertTrue(BigDecimal.valueOf(cacheSize).compareTo(Quantity.getAmountInBytes(sizeLimit)) < 0,
                "lmstudio.cache-size (" + cacheSize + " B) below the volume's sizeLimit (" + sizeLimit + ")");

        VolumeMount tmp = mountAt(pod.sidecar(), "/tmp").orElseThrow(() -> new AssertionError("a writable /tmp"));
        Volume tmpVolume = volume(pod.pod(), tmp.getName());
        assertNotNull(tmpVolume.getEmptyDir());
        assertNotNull(tmpVolume.getEmptyDir().getSizeLimit());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void theCloudKeyIsAMountedSecretFileAndTheAdminTokenComesFromTheSecret(SidecarPod pod) {
        Container sidecar = pod.sidecar();
        EnvVar keyFile = env(sidecar, "CLOUD_API_KEY_FILE");
        assertNull(keyFile.getValueFrom());
        assertFalse(pod.environment().containsKey("CLOUD_API_KEY"), "the key never in the environment");
        Path file = Path.of(keyFile.getValue());
        VolumeMount mount = mountAt(sidecar, file.getParent().toString()).orElseThrow(() -> new AssertionError("no mount at " + file.getParent()));
        assertTrue(Boolean.TRUE.equals(mount.getReadOnly()));
        Volume volume = volume(pod.pod(), mount.getName());
        assertNotNull(volume.getSecret(), "a Secret volume");
        assertTrue(volume.getSecret().getSecretName().startsWith(SECRET));
        assertTrue(volume.getSecret().getItems().stream().anyMatch(item -> item.getPath().equals(file.getFileName().toString())),
                "the file is one of the Secret's items");
        assertEquals(0444, volume.getSecret().getDefaultMode(), "readable by the sidecar's non-root user without fsGroup");

        EnvVar token = env(sidecar, "SIDECAR_ADMIN_TOKEN");
        assertNull(token.getValue());
        assertNotNull(token.getValueFrom().getSecretKeyRef(), "the admin token from a Secret");
        assertTrue(token.getValueFrom().getSecretKeyRef().getName().startsWith(SECRET));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void theSecurityContextLocksTheSidecarDown(SidecarPod pod) {
        SecurityContext context = pod.sidecar().getSecurityContext();
        assertNotNull(context);
        assertEquals(Boolean.TRUE, context.getRunAsNonRoot());
        assertNotNull(context.getRunAsUser(), "a numeric user: runAsNonRoot cannot check a named one");
        assertTrue(context.getRunAsUser() > 0);
        assertEquals(Boolean.TRUE, context.getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, context.getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), context.getCapabilities().getDrop());
        assertTrue(context.getCapabilities().getAdd().isEmpty());
        assertEquals("RuntimeDefault", context.getSeccompProfile().getType());
        assertNull(context.getPrivileged());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void resourceRequestsAreWithinLimits(SidecarPod pod) {
        Map<String, Quantity> requests = pod.sidecar().getResources().getRequests();
        Map<String, Quantity> limits = pod.sidecar().getResources().getLimits();
        assertEquals(Set.of("cpu", "memory"), requests.keySet(), "the sidecar requests cpu and memory");
        assertEquals(Set.of("cpu", "memory"), limits.keySet(), "and is limited in both");
        for (Container container : allContainers(pod.pod())) {
            if (container.getResources() == null) {
                continue;
            }
            container.getResources().getRequests().forEach((resource, request) -> {
                Quantity limit = container.getResources().getLimits().get(resource);
                if (limit != null) {
                    assertTrue(Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit)) <= 0,
                            container.getName() + ": " + resource + " request " + request + " above its limit " + limit);
                }
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void onlyTheManagementPortIsDeclaredAndTheApiStaysOnLoopback(SidecarPod pod) {
        List<ContainerPort> ports = pod.sidecar().getPorts();
        assertEquals(1, ports.size(), "one port: " + ports);
        assertEquals(managementPort(), ports.get(0).getContainerPort());
        assertEquals("management", ports.get(0).getName());
        assertNull(ports.get(0).getHostPort());
        int apiPort = Integer.parseInt(applicationProperties().getProperty(API_PORT_KEY));
        for (Container container : allContainers(pod.pod())) {
            container.getPorts().forEach(port -> {
                assertFalse(port.getContainerPort() == apiPort, container.getName() + " declares the API port " + apiPort);
                assertNull(port.getHostPort(), container.getName() + ": no hostPort");
            });
        }
        assertEquals("127.0.0.1", applicationProperties().getProperty("quarkus.http.host"), "the API binds to loopback");
        assertFalse(pod.environment().keySet().stream().anyMatch(name -> name.startsWith("QUARKUS_HTTP_")),
                "nothing moves the API off loopback");
        assertFalse(Boolean.TRUE.equals(pod.pod().getHostNetwork()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void terminationGracePeriodOutlastsTheSidecarsShutdownGracePeriod(SidecarPod pod) {
        Duration gracePeriod = Optional.ofNullable(pod.environment().get(SHUTDOWN_GRACE_PERIOD_VARIABLE))
                .map(DurationConverter::parseDuration).orElse(SHUTDOWN_GRACE_PERIOD);
        long podGrace = Optional.ofNullable(pod.pod().getTerminationGracePeriodSeconds()).orElse(DEFAULT_TERMINATION_GRACE_SECONDS);
        assertTrue(podGrace >= gracePeriod.plus(EXIT_MARGIN).toSeconds(), "terminationGracePeriodSeconds " + podGrace
                + " leaves the sidecar its grace period " + gracePeriod + " and " + EXIT_MARGIN + " to exit");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecarPods")
    void prometheusFindsTheMetricsByAnnotationAndByPodMonitor(SidecarPod pod) {
        String metricsPath = managementPath(applicationProperties().getProperty("quarkus.micrometer.export.prometheus.path", "metrics"));
        assertEquals("/q/metrics", metricsPath);
        Map<String, String> annotations = pod.deployment().getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(Integer.toString(managementPort()), annotations.get("prometheus.io/port"));
        assertEquals(metricsPath, annotations.get("prometheus.io/path"));

        GenericKubernetesResource monitor = pod.podMonitor().orElseThrow(() -> new AssertionError("a PodMonitor"));
        assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
        Map<String, String> podLabels = pod.deployment().getSpec().getTemplate().getMetadata().getLabels();
        Map<String, Object> matchLabels = monitor.get("spec", "selector", "matchLabels");
        assertFalse(matchLabels.isEmpty());
        matchLabels.forEach((label, value) -> assertEquals(value, podLabels.get(label), "the PodMonitor selects the pod by " + label));
        List<Map<String, Object>> endpoints = monitor.get("spec", "podMetricsEndpoints");
        assertEquals(1, endpoints.size());
        Map<String, Object> endpoint = endpoints.get(0);
        assertEquals(managementPort(), resolvePort(pod.sidecar(), new IntOrString(endpoint.get("port"))));
        assertEquals(metricsPath, endpoint.get("path"));
    }

    // ------------------------------------------------------------------------------------------------------------
    // The two components, and the key check itself

    @Test
    void theLegacyComponentIsTheNativeOneButForWhereTheContainerSits() {
        Deployment nativePatch = (Deployment) parse(read(NATIVE_COMPONENT.resolve("sidecar.yaml")), "native").get(0);
        Deployment legacyPatch = (Deployment) parse(read(LEGACY_COMPONENT.resolve("sidecar.yaml")), "legacy").get(0);
        Container nativeSidecar = sidecar(nativePatch).orElseThrow();
        Container legacySidecar = sidecar(legacyPatch).orElseThrow();
        Container comparable = SERIALIZATION.clone(nativeSidecar);
        comparable.setRestartPolicy(null);
        assertEquals(comparable, legacySidecar, "the same container");
        assertEquals(nativePatch.getSpec().getTemplate().getMetadata(), legacyPatch.getSpec().getTemplate().getMetadata(), "labels, annotations");
        assertEquals(nativePatch.getSpec().getTemplate().getSpec().getVolumes(), legacyPatch.getSpec().getTemplate().getSpec().getVolumes());
        assertEquals(generatorLiterals(NATIVE_COMPONENT.resolve("kustomization.yaml"), CONFIG_MAP),
                generatorLiterals(LEGACY_COMPONENT.resolve("kustomization.yaml"), CONFIG_MAP), "the same settings");
        JsonNode nativeKustomization = yaml(NATIVE_COMPONENT.resolve("kustomization.yaml")).get(0);
        JsonNode legacyKustomization = yaml(LEGACY_COMPONENT.resolve("kustomization.yaml")).get(0);
        assertEquals("Component", nativeKustomization.path("kind").asText());
        assertEquals(nativeKustomization.path("patches"), legacyKustomization.path("patches"), "the same targets");
        assertEquals("lmstudio-sidecar.dev/inject=true", nativeKustomization.path("patches").get(0).path("target").path("labelSelector").asText());
    }

    @Test
    void theKeyCheckKnowsTheMappingsKeysAndNothingElse() {
        for (String name : List.of("LMSTUDIO_BASE_URL", "LMSTUDIO_URL", "LMSTUDIO_CIRCUIT_BREAKER_OPEN_DURATION",
                "LMSTUDIO_HEALTH_CHECK_TEST_MODEL", "SIDECAR_ROUTING_KEYWORDS_CODING", "SIDECAR_CACHE_MEMORY_SIZE",
                "SIDECAR_READINESS_REQUIRED_MODELS", "CLOUD_MODELS_CODING", "CLOUD_API_KEY_FILE", "sidecar.startup.max-wait",
                "QUARKUS_LOG_LEVEL")) {
            assertTrue(isSetting(name), name);
        }
        for (String name : List.of("LMSTUDIO_BASE_URI", "SIDECAR_DATADIR", "SIDECAR_CACHE", "CLOUD_KEY", "LMSTUDIO_CIRCUIT_BREAKER",
                "QUARKUS_HTTP_PORT", "sidecar.startup.max-waits", "JAVA_OPTS")) {
            assertFalse(isSetting(name), name);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers

    private static final Map<Path, List<HasMetadata>> RENDERED = new ConcurrentHashMap<>();

    /** {@code kubectl kustomize dir}, parsed; each example once per run. */
    private static List<HasMetadata> rendered(Path dir) {
        return RENDERED.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> {
            try {
                Path stderr = Files.createTempFile("kustomize", ".err");
                Process process = new ProcessBuilder(KUBECTL.orElseThrow().toString(), "kustomize", d.toString())
                        .redirectError(stderr.toFile()).start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + d + " in 60 s");
                String err = Files.readString(stderr);
                Files.delete(stderr);
                assertEquals(0, process.exitValue(), "kubectl kustomize " + d + ": " + err);
                return parse(out, "kubectl kustomize " + d);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        });
    }

    /** Every YAML document of {@code text} as a typed fabric8 object; unknown fields and untyped kinds fail. */
    private static List<HasMetadata> parse(String text, String source) {
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode document : yaml(text)) {
            if (document == null || document.isNull() || document.isMissingNode()) {
                continue;
            }
            String where = source + ": " + document.path("kind").asText() + " " + document.path("metadata").path("name").asText();
            Object object = SERIALIZATION.unmarshal(document.toString());
            assertTrue(object instanceof HasMetadata, where + ": not a Kubernetes object");
            if (object instanceof GenericKubernetesResource generic) {
                assertTrue(UNTYPED_KINDS.contains(generic.getKind()), where + ": no typed class for " + generic.getApiVersion() + " " + generic.getKind());
                assertNoUnknownFields(generic.getMetadata(), where + " metadata");
            } else {
                assertNoUnknownFields(object, where);
            }
            objects.add((HasMetadata) object);
        }
        return objects;
    }

    /**
     * fabric8's model keeps a field it does not know in {@code additionalProperties} instead of failing: a misspelt
     * {@code readinesProbe} would pass unseen. Every object of the graph must have none.
     */
    private static void assertNoUnknownFields(Object object, String path) {
        if (object == null) {
            return;
        }
        if (object instanceof Collection<?> collection) {
            int i = 0;
            for (Object element : collection) {
                assertNoUnknownFields(element, path + "[" + i++ + "]");
            }
            return;
        }
        if (object instanceof Map<?, ?> map) {
            map.forEach((key, value) -> assertNoUnknownFields(value, path + "." + key));
            return;
        }
        if (!object.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : object.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(object);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new AssertionError(path + "." + getter.getName() + ": " + e, e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                assertTrue(value == null || ((Map<?, ?>) value).isEmpty(), path + ": unknown fields " + (value == null ? "" : ((Map<?, ?>) value).keySet()));
            } else {
                assertNoUnknownFields(value, path + "." + getter.getName().substring(3));
            }
        }
    }

    private static List<JsonNode> yaml(String text) {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(text)) {
            return documents.readAll();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> yaml(Path file) {
        return yaml(read(file));
    }

    /** The {@code literals} of the configMapGenerator named {@code name} in a kustomization, as KEY to value. */
    private static Map<String, String> generatorLiterals(Path kustomization, String name) {
        Map<String, String> literals = new LinkedHashMap<>();
        for (JsonNode generator : yaml(kustomization).get(0).path("configMapGenerator")) {
            if (name.equals(generator.path("name").asText())) {
                for (JsonNode literal : generator.path("literals")) {
                    String text = literal.asText();
                    int eq = text.indexOf('=');
                    assertTrue(eq > 0, kustomization + ": " + text);
                    literals.put(text.substring(0, eq), text.substring(eq + 1));
                }
            }
        }
        assertFalse(literals.isEmpty(), kustomization + ": configMapGenerator " + name);
        return literals;
    }

    private static List<Deployment> sidecarDeployments(List<HasMetadata> objects) {
        return objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).filter(d -> sidecar(d).isPresent()).toList();
    }

    private static Optional<Container> sidecar(Deployment deployment) {
        return allContainers(deployment.getSpec().getTemplate().getSpec()).stream().filter(c -> SIDECAR.equals(c.getName())).findFirst();
    }

    private static List<Container> allContainers(PodSpec pod) {
        List<Container> containers = new ArrayList<>(pod.getInitContainers());
        containers.addAll(pod.getContainers());
        return containers;
    }

    private static Set<String> names(List<HasMetadata> objects, Class<? extends HasMetadata> kind) {
        Set<String> names = new TreeSet<>();
        objects.stream().filter(kind::isInstance).forEach(o -> names.add(o.getMetadata().getName()));
        return names;
    }

    private static Optional<VolumeMount> mountAt(Container container, String path) {
        return container.getVolumeMounts().stream().filter(m -> Path.of(m.getMountPath()).equals(Path.of(path))).findFirst();
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    /** A probe's or an endpoint's port, by number or by the container's port name. */
    private static int resolvePort(Container container, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no port named " + port.getStrVal())).getContainerPort();
    }

    // --- the application's configuration

    private static Properties applicationProperties() {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(APPLICATION_PROPERTIES)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static int managementPort() {
        Properties properties = applicationProperties();
        assertEquals("true", properties.getProperty("quarkus.management.enabled"), "health and metrics on a port of their own");
        return Integer.parseInt(properties.getProperty("quarkus.management.port", "9000"));
    }

    /** A path under the management interface's root ({@code quarkus.management.root-path}, Quarkus' default {@code /q}). */
    private static String managementPath(String path) {
        return join(applicationProperties().getProperty("quarkus.management.root-path", "/q"), path);
    }

    /** {@code quarkus.smallrye-health.<kind>-path} under {@code quarkus.smallrye-health.root-path}, with Quarkus' defaults. */
    private static String healthPath(String kind, String defaultPath) {
        Properties properties = applicationProperties();
        String root = managementPath(properties.getProperty("quarkus.smallrye-health.root-path", "health"));
        return join(root, properties.getProperty("quarkus.smallrye-health." + kind + "-path", defaultPath));
    }

    private static String join(String base, String path) {
        return path.startsWith("/") ? path : (base.endsWith("/") ? base : base + "/") + path;
    }

    /** The mappings as the sidecar builds them, from {@code environment} alone: a value that does not convert fails. */
    private static SmallRyeConfig config(Map<String, String> environment) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .addDiscoveredConverters()
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus's "30s"
                .withSources(new EnvConfigSource(environment, 300))
                .withMapping(LMStudioConfig.class)
                .withMapping(SidecarConfig.class)
                .withMapping(CloudConfig.class)
                .build();
    }

    private static final List<Pattern> SETTINGS = settingPatterns();

    /**
     * Whether an environment variable (or a property name) sets a key of the mappings. Keys come from SmallRye's own
     * metadata of the mapping interfaces ({@link ConfigMappings#getProperties}); an environment name is its key with
     * every character but letters and digits as {@code _}, upper-cased (SmallRye's rule); a map's {@code *} is any name.
     * Also names the mappings' defaults read ({@code ${LMSTUDIO_URL:...}}), and {@link #QUARKUS_VARIABLES}.
     */
    private static boolean isSetting(String name) {
        return QUARKUS_VARIABLES.contains(name) || SETTINGS.stream().anyMatch(p -> p.matcher(name).matches());
    }

    private static List<Pattern> settingPatterns() {
        List<Pattern> patterns = new ArrayList<>();
        Pattern expression = Pattern.compile("\\$\\{([A-Za-z0-9_.\\-]+)");
        MAPPINGS.forEach((type, prefix) -> ConfigMappings.getProperties(new ConfigMappings.ConfigClass(type, prefix)).forEach((key, property) -> {
            patterns.add(Pattern.compile(keyRegex(key, false)));
            patterns.add(Pattern.compile(keyRegex(key, true)));
            if (property.hasDefaultValue() && property.getDefaultValue() != null) {
                Matcher m = expression.matcher(property.getDefaultValue());
                while (m.find()) {
                    patterns.add(Pattern.compile(Pattern.quote(m.group(1))));
                }
            }
        }));
        return patterns;
    }

    private static String keyRegex(String key, boolean environment) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (key.startsWith("[*]", i)) {
                regex.append(environment ? "(?:_[0-9]+_)?" : "(?:\\[[0-9]+\\])?");
                i += 2;
            } else if (c == '*') {
                regex.append(environment ? "[A-Z0-9_]+" : "[^.]+");
            } else if (!environment) {
                regex.append(Pattern.quote(String.valueOf(c)));
            } else if (Character.isLetterOrDigit(c)) {
                regex.append(Character.toUpperCase(c));
            } else {
                regex.append('_');
            }
        }
        return regex.toString();
    }

    // --- files

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
