#!/usr/bin/env bash
# Regenerates docs/cli/ (the command-line reference) from the commands' own help: builds, then
# runs CommandReferenceTests with HELDOUT_UPDATE_CLI_REFERENCE=1, which renders
# `heldout --experimental-dump-help` as Markdown, one page per command. The same test, without
# the variable, fails when the committed pages differ from what the binary says.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
HELDOUT_UPDATE_CLI_REFERENCE=1 swift test --skip-build --filter CommandReferenceTests
git status --short docs/cli
