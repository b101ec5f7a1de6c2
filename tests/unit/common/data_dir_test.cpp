// Where shipped data is found (common/data_dir.hpp): the variables first, then an installed
// layout beside the executable, then the source tree above it, else an error that says where it
// looked. Folders are made under a scratch directory; the executables named need not exist.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "common/data_dir.hpp"
#include "common/input_error.hpp"

namespace {

namespace fs = std::filesystem;
using cirrus::DataDirInputs;
using cirrus::find_shipped_root;
using cirrus::shipped_path;

// A fresh folder for one test case, removed with it.
struct Scratch {
  fs::path dir;
  explicit Scratch(const std::string& name)
      : dir(fs::temp_directory_path() /
            ("cirrus-data-dir-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  // A data root: a folder holding pricing/catalogs.
  std::string root(const std::string& rel) const {
    fs::create_directories(dir / rel / "pricing" / "catalogs");
    return (dir / rel).string();
  }
  std::string path(const std::string& rel) const { return (dir / rel).string(); }
};

}  // namespace

TEST_CASE("an installed layout is found beside the executable", "[data_dir]") {
  Scratch s("installed");
  const std::string share = s.root("prefix/share/cirrus");
  const DataDirInputs in{"", "", s.path("prefix/bin/cirrus")};
  CHECK(find_shipped_root(in.executable) == share);
  CHECK(shipped_path("pricing/catalogs", in) == share + "/pricing/catalogs");
  CHECK(shipped_path("data/validation/residuals.json", in) ==
        share + "/data/validation/residuals.json");
}

TEST_CASE("a build tree finds the source tree above it", "[data_dir]") {
  Scratch s("source");
  const std::string src = s.root("src");
  const DataDirInputs in{"", "", s.path("src/build/release/cli/cirrus")};
  CHECK(find_shipped_root(in.executable) == src);
  CHECK(shipped_path("calibrate/profiles/public", in) == src + "/calibrate/profiles/public");
  CHECK(shipped_path("data/validation", in) == src + "/data/validation");
}

TEST_CASE("an installed layout wins over a source tree above it", "[data_dir]") {
  Scratch s("both");
  s.root("src");
  const std::string share = s.root("src/build/prefix/share/cirrus");
  CHECK(find_shipped_root(s.path("src/build/prefix/bin/cirrus")) == share);
  // share/cirrus without pricing/catalogs is no data root: the walk up goes on.
  fs::create_directories(s.path("src/other/share/cirrus/data"));
  CHECK(find_shipped_root(s.path("src/other/bin/cirrus")) == s.path("src"));
}

TEST_CASE("the variables win, each for its own paths", "[data_dir]") {
  Scratch s("env");
  const std::string share = s.root("prefix/share/cirrus");
  DataDirInputs in{"/data/dir", "", s.path("prefix/bin/cirrus")};
  // $CIRRUS_DATA_DIR stands for the data/ folder itself, as it always has.
  CHECK(shipped_path("data/validation/residuals.json", in) ==
        "/data/dir/validation/residuals.json");
  CHECK(shipped_path("pricing/catalogs", in) == share + "/pricing/catalogs");
  in = {"", "/source/root", s.path("prefix/bin/cirrus")};
  CHECK(shipped_path("pricing/catalogs", in) == "/source/root/pricing/catalogs");
  CHECK(shipped_path("data/validation", in) == share + "/data/validation");
  in = {"/data/dir", "/source/root", ""};  // no executable needed when both are set
  CHECK(shipped_path("data/x.json", in) == "/data/dir/x.json");
  CHECK(shipped_path("scenarios/default.json", in) == "/source/root/scenarios/default.json");
}

TEST_CASE("no data root is an I/O error naming where it looked", "[data_dir]") {
  Scratch s("none");
  const DataDirInputs in{"", "", s.path("prefix/bin/cirrus")};
  CHECK_FALSE(find_shipped_root(in.executable).has_value());
  try {
    shipped_path("pricing/catalogs", in);
    FAIL("expected an IoError");
  } catch (const cirrus::IoError& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(what.find("'pricing/catalogs'") != std::string::npos);
    CHECK(what.find("$CIRRUS_SOURCE_ROOT is unset") != std::string::npos);
    CHECK(what.find(s.path("prefix/share/cirrus") + " has no pricing/catalogs") !=
          std::string::npos);
    CHECK(what.find("above " + s.path("prefix/bin")) != std::string::npos);
    CHECK(what.find('\n') == std::string::npos);
  }
  CHECK_THROWS_AS(shipped_path("data/validation", in), cirrus::IoError);
  CHECK_THROWS_WITH(
      shipped_path("data/validation", DataDirInputs{}),
      Catch::Contains("$CIRRUS_DATA_DIR is unset") && Catch::Contains("/proc/self/exe"));
}

TEST_CASE("this test executable finds the source tree it was built in", "[data_dir]") {
  const std::string exe = cirrus::executable_path();
  REQUIRE_FALSE(exe.empty());
  const std::string source = fs::canonical(CIRRUS_SOURCE_DIR).string();
  if (!exe.starts_with(source + "/")) {
    WARN("built outside the source tree (" << exe << "): nothing to find above it");
    return;
  }
  const auto root = find_shipped_root(exe);
  REQUIRE(root.has_value());
  CHECK(fs::equivalent(*root, CIRRUS_SOURCE_DIR));
}
