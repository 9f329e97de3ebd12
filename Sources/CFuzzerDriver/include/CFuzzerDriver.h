// libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer), called from heldout-fuzz's own
// main: SwiftPM links an executable's `main` to the module's renamed entry point, so libFuzzer's
// `main` cannot be used; `LLVMFuzzerRunDriver` is the documented entry for that case.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
