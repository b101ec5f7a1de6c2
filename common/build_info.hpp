#pragma once
// What `cirrus --version` says about the build itself. Defined in a file that
// cmake/build_info.cmake writes at build time (library cirrus_build_info), so that a new commit
// recompiles one file; it holds no date or time, so a rebuild of one commit is the same binary.
namespace cirrus {

// The project's version, from project() in the top CMakeLists.txt ("0.1.0").
const char* build_version();

// The git commit built: 12 hex digits, "-dirty" when tracked files differed from it, or
// "unknown" for a build outside git.
const char* build_commit();

}  // namespace cirrus
