// Declarations only (include/CFuzzerDriver.h): the driver is in compiler-rt under -sanitize=fuzzer.
