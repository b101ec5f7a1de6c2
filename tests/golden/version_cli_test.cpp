// `cirrus --version`: the version, the git commit and the shipped catalogs' date ranges, read
// from the catalogs at run time (docs/CONTRACT.md, "(added)" rows). Everything but the commit
// is known here, so the expected text is built from the catalogs themselves.
#include <fmt/format.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "pricing/catalog.hpp"
#include "tests/golden/cli_support.hpp"

namespace {

namespace fs = std::filesystem;
using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::write_text;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(text.substr(start, nl - start));
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// "commit 0123456789ab", with "-dirty" when the tree differed, or "commit unknown". Not
// std::regex: g++ 12 warns falsely inside <regex> under sanitizers.
bool is_commit_line(const std::string& line) {
  if (line == "commit unknown") return true;
  if (!line.starts_with("commit ")) return false;
  std::string hash = line.substr(7);
  if (hash.ends_with("-dirty")) hash.resize(hash.size() - 6);
  return hash.size() == 12 && hash.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// "  aws      2026-01-21 to 2026-11-22 (36 instances)", one per catalog of the folder.
std::vector<std::string> catalog_lines(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& c : cirrus::pricing::read_catalog_dir(dir)) {
    std::vector<std::string> dates;
    for (const auto& in : c.instances) {
      dates.push_back(in.source.retrieved);
      for (const auto& [model, src] : in.price_sources) dates.push_back(src.retrieved);
    }
    std::sort(dates.begin(), dates.end());
    const std::string range =
        dates.front() == dates.back() ? dates.back() : dates.front() + " to " + dates.back();
    out.push_back(fmt::format("  {:<8} {} ({} instances)", c.provider, range, c.instances.size()));
  }
  return out;
}

}  // namespace

TEST_CASE("cirrus --version names the version, the commit and the catalogs' dates", "[golden]") {
  const auto r = run_cli("--version");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() >= 4);
  CHECK(lines[0] == std::string("cirrus ") + CIRRUS_VERSION);
  CHECK(is_commit_line(lines[1]));
  REQUIRE(lines[2].starts_with("catalogs /"));
  CHECK(fs::equivalent(lines[2].substr(9), source_path("pricing/catalogs")));
  const auto expected = catalog_lines(source_path("pricing/catalogs"));
  CHECK(std::vector<std::string>(lines.begin() + 3, lines.end()) == expected);
}

TEST_CASE("cirrus --version reads the catalogs it would price with, at run time", "[golden]") {
  const fs::path root = fs::path(scratch_dir()) / "version-root";
  fs::create_directories(root / "pricing" / "catalogs");
  std::string lambda = slurp(source_path("pricing/catalogs/lambda.json"));
  for (std::size_t at; (at = lambda.find("2026-11-22")) != std::string::npos;) {
    lambda.replace(at, 10, "2027-03-04");
  }
  write_text((root / "pricing" / "catalogs" / "lambda.json").string(), lambda);
  ::setenv("CIRRUS_SOURCE_ROOT", root.c_str(), 1);
  const auto r = run_cli("--version");
  ::unsetenv("CIRRUS_SOURCE_ROOT");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 4);
  CHECK(lines[2] == "catalogs " + (root / "pricing" / "catalogs").string());
  CHECK(lines[3] == catalog_lines((root / "pricing" / "catalogs").string()).at(0));
  CHECK(lines[3].find("to 2027-03-04 (") != std::string::npos);
  fs::remove_all(root);
}
