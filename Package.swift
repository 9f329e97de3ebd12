// swift-tools-version:6.1
import PackageDescription

// One target per pipeline stage; each stage depends on the core and the store only,
// and the command-line target stays thin (see README "Layout").
let package = Package(
    name: "heldout",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "heldout", targets: ["heldout"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // zlib, for FreeDict's dictzip (`.dict.dz`): gzip with random access by chunks.
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "HeldoutCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "HeldoutStore",
            dependencies: [
                "HeldoutCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "HeldoutIngest",
            dependencies: ["HeldoutCore", "HeldoutStore", "CLibXML2", "CZlib"]
        ),
        .target(
            name: "HeldoutQuestions",
            dependencies: [
                "HeldoutCore", "HeldoutStore",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "HeldoutSplit",
            dependencies: [
                "HeldoutCore", "HeldoutStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "HeldoutGrading",
            dependencies: ["HeldoutCore", "HeldoutStore"]
        ),
        .target(
            name: "HeldoutAudit",
            dependencies: ["HeldoutCore", "HeldoutStore"]
        ),
        // Versioned releases (issue 7): card, Croissant, checksums, change log.
        .target(
            name: "HeldoutPublish",
            dependencies: ["HeldoutCore"]
        ),
        // The pipeline as a library (issue 16): stages, their runner, the seams between modules;
        // the `heldout` executable only parses arguments and prints.
        .target(
            name: "HeldoutBuild",
            dependencies: ["HeldoutCore", "HeldoutStore", "HeldoutIngest", "HeldoutGrading", "HeldoutQuestions", "HeldoutSplit", "HeldoutAudit", "HeldoutPublish"]
        ),
        // Stateless mappers for a cluster (issue 15): the stages' own code, rows in and out.
        .target(
            name: "HeldoutShard",
            dependencies: ["HeldoutCore", "HeldoutStore", "HeldoutIngest", "HeldoutGrading", "HeldoutQuestions", "HeldoutSplit", "HeldoutBuild"]
        ),
        .executableTarget(
            name: "heldout",
            dependencies: [
                "HeldoutCore", "HeldoutStore", "HeldoutIngest", "HeldoutGrading", "HeldoutQuestions", "HeldoutSplit", "HeldoutAudit", "HeldoutPublish", "HeldoutBuild",
                "HeldoutShard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmark driver (bench/split.sh): generates stores, times the near-duplicate stage.
        .executableTarget(
            name: "heldout-bench",
            dependencies: ["HeldoutCore", "HeldoutStore", "HeldoutSplit", "HeldoutIngest", "HeldoutGrading"]
        ),
        // Fuzzing (issue 18): one libFuzzer target per reader, in one library the tests replay
        // seeds through, and one binary that bench/fuzz.sh builds with -sanitize=fuzzer,address
        // (CFuzzerDriver declares libFuzzer's driver, which that binary's main calls).
        .target(
            name: "HeldoutFuzz",
            dependencies: ["HeldoutCore", "HeldoutIngest"]
        ),
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "heldout-fuzz",
            dependencies: ["HeldoutFuzz", "CFuzzerDriver"]
        ),
        .testTarget(name: "HeldoutCoreTests", dependencies: ["HeldoutCore"]),
        // The split tests may use the audit (the modules themselves never see each other).
        .testTarget(name: "HeldoutSplitTests", dependencies: ["HeldoutCore", "HeldoutStore", "HeldoutSplit", "HeldoutAudit"]),
        .testTarget(name: "HeldoutStoreTests", dependencies: ["HeldoutCore", "HeldoutStore"]),
        .testTarget(
            name: "HeldoutIngestTests",
            dependencies: ["HeldoutCore", "HeldoutStore", "HeldoutIngest"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "HeldoutGradingTests",
            dependencies: ["HeldoutCore", "HeldoutStore", "HeldoutGrading"]
        ),
        .testTarget(
            name: "HeldoutQuestionsTests",
            dependencies: ["HeldoutCore", "HeldoutStore", "HeldoutIngest", "HeldoutQuestions"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "HeldoutAuditTests",
            dependencies: ["HeldoutCore", "HeldoutStore", "HeldoutAudit"]
        ),
        .testTarget(
            name: "HeldoutPublishTests",
            dependencies: ["HeldoutCore", "HeldoutPublish"]
        ),
        .testTarget(
            name: "HeldoutBuildTests",
            dependencies: ["HeldoutCore", "HeldoutStore", "HeldoutBuild", "HeldoutAudit", "HeldoutGrading", "HeldoutShard"]
        ),
        .testTarget(
            name: "HeldoutFuzzTests",
            dependencies: ["HeldoutCore", "HeldoutIngest", "HeldoutFuzz"],
            // Inputs fuzzing found, replayed by path (and seeded into bench/fuzz.sh).
            exclude: ["Regressions"]
        ),
        .testTarget(
            name: "HeldoutShardTests",
            dependencies: ["HeldoutCore", "HeldoutStore", "HeldoutIngest", "HeldoutGrading", "HeldoutQuestions", "HeldoutShard", "HeldoutSplit", "HeldoutBuild"]
        ),
        .testTarget(
            name: "HeldoutCLITests",
            dependencies: ["HeldoutCore", "HeldoutStore"]
        ),
    ]
)
