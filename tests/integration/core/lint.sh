#!/usr/bin/env bash
# The tree matches .clang-format and cppcheck finds no warnings (tools/lint.sh).
# timeout: 300
. "$(dirname "$0")/../lib.sh"
need_cmd clang-format cppcheck
tools/lint.sh
