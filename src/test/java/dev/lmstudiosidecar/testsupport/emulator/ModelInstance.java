package dev.lmstudiosidecar.testsupport.emulator;

/** One loaded copy of a model: LM Studio names the first copy by its key, the next ones "key:2", "key:3". */
record ModelInstance(String id, int contextLength) {
}
