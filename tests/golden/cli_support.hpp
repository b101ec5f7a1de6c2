#pragma once
// Runs the real `cirrus` binary for end-to-end tests: exit status, stdout and stderr.
#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace cirrus::testing {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string scratch_dir() {
  static const std::string kDir = [] {
    auto d = std::filesystem::temp_directory_path() / ("cirrus-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return kDir;
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A scenario object written to the scratch directory as `name`; its path.
inline std::string write_scenario(const std::string& name, const nlohmann::json& j) {
  std::string path = scratch_dir() + "/" + name;
  write_text(path, j.dump(2));
  return path;
}

inline CliRun run_cli(const std::string& args) {
  const std::string out = scratch_dir() + "/stdout.txt";
  const std::string err = scratch_dir() + "/stderr.txt";
  const std::string cmd = std::string(CIRRUS_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int raw = std::system(cmd.c_str());
  CliRun r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

inline std::string source_path(const std::string& rel) {
  return std::string(CIRRUS_SOURCE_DIR) + "/" + rel;
}

}  // namespace cirrus::testing
