// Checks the sources against the layering of DESIGN.md: which module may include which, where
// third-party headers may appear, and that every header starts with `#pragma once`.
// A failure lists every offending `file:line -> include` at once.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// The modules, lowest layer first, and the modules each one may include besides itself.
// calibrate/'s core (profile I/O, importers) is plain C++ that app/ reads profiles with; its
// CUDA microbenchmarks are reached only from cli/. app/ turns a scenario into a job and runs it;
// reports/ renders app/'s result values; cli/ is flags: it parses options, calls app/, prints
// through reports/ and reads a scenario file with scenarios/ (docs/ARCHITECTURE.md).
const std::vector<std::string> kModules = {"common",    "sim",  "models", "pricing", "calibrate",
                                           "scenarios", "plan", "app",    "reports", "cli"};

const std::map<std::string, std::set<std::string>> kMayInclude = {
    {"common", {}},
    {"sim", {"common"}},
    {"models", {"sim", "common"}},
    {"pricing", {"common"}},
    {"calibrate", {"models", "common"}},
    {"scenarios", {"models", "pricing", "common"}},
    {"plan", {"sim", "models", "pricing", "scenarios", "common"}},
    {"app", {"plan", "scenarios", "calibrate", "pricing", "models", "sim", "common"}},
    {"reports", {"app", "plan", "sim", "models", "pricing", "scenarios", "common"}},
    {"cli", {"common", "app", "reports", "scenarios"}},
};

// Files that may include one module more than their own module may, and why.
const std::map<std::string, std::set<std::string>> kFileMayAlsoInclude = {
    // cirrus-calibrate, the one executable that links CUDA: it runs calibrate/'s microbenchmarks.
    {"cli/calibrate_tool/main.cpp", {"calibrate"}},
    // The one place where errors become exit statuses also catches models::TopologyError.
    {"cli/main.cpp", {"models"}},
};

// What `file` may include besides its own module.
std::set<std::string> allowed_for(const std::string& rel, const std::string& module) {
  std::set<std::string> allowed = kMayInclude.at(module);
  if (const auto it = kFileMayAlsoInclude.find(rel); it != kFileMayAlsoInclude.end()) {
    allowed.insert(it->second.begin(), it->second.end());
  }
  return allowed;
}

// The rooms of models/, lowest first: a file of one room includes models/ headers of its own room
// and the rooms before it, never after (docs/ARCHITECTURE.md says what each holds).
const std::vector<std::string> kModelRooms = {"hardware", "network", "compute", "workload",
                                              "step",     "systems", "serving"};

// The room of a models/ path ("models/step/simulate.hpp" -> "step"); empty when it has none.
std::string room_of(const std::string& rel) {
  if (!rel.starts_with("models/")) return "";
  const std::size_t slash = rel.find('/', 7);
  return slash == std::string::npos ? "" : rel.substr(7, slash - 7);
}

int room_rank(const std::string& room) {
  const auto it = std::find(kModelRooms.begin(), kModelRooms.end(), room);
  return it == kModelRooms.end() ? -1 : static_cast<int>(it - kModelRooms.begin());
}

struct Include {
  int line = 0;
  bool quoted = false;  // "..." rather than <...>
  std::string path;
};

struct SourceFile {
  std::string rel;     // path from the repository root, '/'-separated
  std::string module;  // first path component
  std::vector<std::string> lines;
};

// `#include "a/b.hpp"` or `# include <vector>`; anything else (comments included) is no include.
// Hand-written rather than std::regex: g++ 12 warns falsely inside <regex> under sanitizers.
std::optional<Include> parse_include(const std::string& line, int number) {
  constexpr auto kNpos = std::string::npos;
  std::size_t i = line.find_first_not_of(" \t");
  if (i == kNpos || line[i] != '#') return std::nullopt;
  i = line.find_first_not_of(" \t", i + 1);
  if (i == kNpos || line.compare(i, 7, "include") != 0) return std::nullopt;
  i = line.find_first_not_of(" \t", i + 7);
  if (i == kNpos || (line[i] != '"' && line[i] != '<')) return std::nullopt;
  const char close = line[i] == '"' ? '"' : '>';
  const std::size_t end = line.find(close, i + 1);
  if (end == kNpos) return std::nullopt;
  return Include{number, close == '"', line.substr(i + 1, end - i - 1)};
}

std::vector<Include> includes_of(const SourceFile& file) {
  std::vector<Include> out;
  for (std::size_t i = 0; i < file.lines.size(); ++i) {
    if (auto inc = parse_include(file.lines[i], static_cast<int>(i) + 1)) out.push_back(*inc);
  }
  return out;
}

bool is_source(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".hpp" || ext == ".cpp" || ext == ".cu" || ext == ".cuh" || ext == ".h";
}

bool is_header(const std::string& rel) {
  const std::string ext = fs::path(rel).extension().string();
  return ext == ".hpp" || ext == ".cuh" || ext == ".h";
}

// Every source file of every module that exists, sorted so that reports are stable.
const std::vector<SourceFile>& sources() {
  static const std::vector<SourceFile> kFiles = [] {
    const fs::path root(CIRRUS_SOURCE_DIR);
    std::vector<SourceFile> files;
    for (const auto& module : kModules) {
      const fs::path dir = root / module;
      if (!fs::is_directory(dir)) continue;
      for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || !is_source(entry.path())) continue;
        SourceFile file{entry.path().lexically_relative(root).generic_string(), module, {}};
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) {
          if (!line.empty() && line.back() == '\r') line.pop_back();
          file.lines.push_back(line);
        }
        files.push_back(std::move(file));
      }
    }
    std::sort(files.begin(), files.end(),
              [](const SourceFile& a, const SourceFile& b) { return a.rel < b.rel; });
    return files;
  }();
  return kFiles;
}

std::string join(const std::set<std::string>& names) {
  if (names.empty()) return "nothing";
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n + "/";
  return out;
}

std::string where(const SourceFile& file, const Include& inc) {
  const char open = inc.quoted ? '"' : '<';
  const char close = inc.quoted ? '"' : '>';
  return file.rel + ":" + std::to_string(inc.line) + " -> " + open + inc.path + close;
}

// A C++ standard library header: a bare lower-case name such as <vector> or <cstdint>.
bool is_standard_header(const std::string& path) {
  return !path.empty() && std::all_of(path.begin(), path.end(),
                                      [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

// The third-party rules of DESIGN.md: why the include is not allowed here, or nothing.
std::optional<std::string> third_party_violation(const SourceFile& file, const Include& inc) {
  const std::string stem = fs::path(file.rel).stem().string();
  const bool is_cpp = fs::path(file.rel).extension() == ".cpp";
  if (file.module == "sim" && !is_standard_header(inc.path)) {
    return "sim/ uses the C++ standard library only";
  }
  if (inc.path.starts_with("nlohmann/") && file.module == "common" && stem != "json_reader") {
    return "in common/, nlohmann/json belongs to json_reader.* only";
  }
  if (inc.path.starts_with("boost/") && !(file.module == "models" && is_cpp)) {
    return "Boost is used in models/*.cpp only, never in headers";
  }
  if (inc.path.starts_with("CLI/") && file.module != "cli") {
    return "CLI11 belongs to cli/ only";
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("the include parser reads include lines and nothing else", "[lint]") {
  const Include quoted = parse_include(R"(#include "sim/time.hpp")", 3).value();
  CHECK(quoted.path == "sim/time.hpp");
  CHECK(quoted.quoted);
  CHECK(quoted.line == 3);
  const Include angled = parse_include("  #  include <vector>  // why", 1).value();
  CHECK(angled.path == "vector");
  CHECK_FALSE(angled.quoted);
  CHECK_FALSE(parse_include(R"(// #include "models/x.hpp")", 1).has_value());
  CHECK_FALSE(parse_include("#pragma once", 1).has_value());
  CHECK_FALSE(parse_include("#include_next <vector>", 1).has_value());
  CHECK_FALSE(parse_include("#include MACRO_HEADER", 1).has_value());
  CHECK(is_standard_header("cstdint"));
  CHECK_FALSE(is_standard_header("fmt/format.h"));
  CHECK_FALSE(is_standard_header("assert.h"));
}

TEST_CASE("the lint sees the source tree", "[lint]") {
  INFO("CIRRUS_SOURCE_DIR = " << CIRRUS_SOURCE_DIR);
  const auto& files = sources();
  CHECK(std::any_of(files.begin(), files.end(),
                    [](const SourceFile& f) { return f.rel == "common/input_error.hpp"; }));
}

TEST_CASE("modules include only the layers below them (DESIGN.md)", "[lint]") {
  std::string report;
  int count = 0;
  for (const auto& file : sources()) {
    const std::set<std::string> allowed = allowed_for(file.rel, file.module);
    for (const auto& inc : includes_of(file)) {
      const auto slash = inc.path.find('/');
      const std::string target = inc.path.substr(0, slash);
      const bool is_module = slash != std::string::npos &&
                             std::find(kModules.begin(), kModules.end(), target) != kModules.end();
      if (!is_module && !inc.quoted) continue;  // <third-party>: the test below
      if (is_module && (target == file.module || allowed.count(target) != 0)) continue;
      report += "  " + where(file, inc) + "  (" +
                (is_module ? file.rel + " may include " + join(allowed)
                           : std::string("not a module header: includes are from the repository "
                                         "root, and nothing includes tests/ or bench/")) +
                ")\n";
      ++count;
    }
  }
  INFO("includes that break the layering:\n" << report);
  CHECK(count == 0);
}

TEST_CASE("third-party headers stay where DESIGN.md puts them", "[lint]") {
  std::string report;
  int count = 0;
  for (const auto& file : sources()) {
    for (const auto& inc : includes_of(file)) {
      if (inc.quoted) continue;
      if (auto why = third_party_violation(file, inc)) {
        report += "  " + where(file, inc) + "  (" + *why + ")\n";
        ++count;
      }
    }
  }
  INFO("misplaced third-party includes:\n" << report);
  CHECK(count == 0);
}

TEST_CASE("every header starts with #pragma once", "[lint]") {
  std::string report;
  int count = 0;
  for (const auto& file : sources()) {
    if (!is_header(file.rel)) continue;
    // The first line that is neither blank nor a // comment.
    const auto first = std::find_if(file.lines.begin(), file.lines.end(), [](const auto& line) {
      const auto pos = line.find_first_not_of(" \t");
      return pos != std::string::npos && line.compare(pos, 2, "//") != 0;
    });
    if (first == file.lines.end() || *first != "#pragma once") {
      report += "  " + file.rel + "\n";
      ++count;
    }
  }
  INFO("headers that do not start with #pragma once:\n" << report);
  CHECK(count == 0);
}

TEST_CASE("models/ rooms include only their own room and the rooms below it", "[lint]") {
  CHECK(room_of("models/step/simulate.hpp") == "step");
  CHECK(room_of("models/CMakeLists.txt").empty());
  CHECK(room_of("sim/engine.hpp").empty());
  std::string report;
  int count = 0;
  for (const auto& file : sources()) {
    if (file.module != "models") continue;
    const std::string room = room_of(file.rel);
    const int rank = room_rank(room);
    if (rank < 0) {
      report += "  " + file.rel + "  (not in a room: models/{" + [] {
        std::string names;
        for (const auto& r : kModelRooms) names += (names.empty() ? "" : ",") + r;
        return names;
      }() + "}/)\n";
      ++count;
      continue;
    }
    for (const auto& inc : includes_of(file)) {
      const std::string target = room_of(inc.path);
      if (!inc.quoted || !inc.path.starts_with("models/")) continue;
      const int target_rank = room_rank(target);
      if (target_rank >= 0 && target_rank <= rank) continue;
      report += "  " + where(file, inc) + "  (" + room;
      report += "/ may include models/ rooms up to " + room;
      report += "/, in the order hardware < network < compute < workload < step < systems < ";
      report += "serving)\n";
      ++count;
    }
  }
  INFO("models/ includes that break the rooms' order:\n" << report);
  CHECK(count == 0);
}
