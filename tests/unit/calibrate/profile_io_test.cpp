// calibrate/profile_io.hpp: the profile file reads strictly, writes deterministically and
// round-trips byte for byte.
#include "calibrate/profile_io.hpp"

#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "calibrate/fit.hpp"
#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "tests/json_edit.hpp"

namespace {

using cirrus::InputError;
using cirrus::calibrate::format_profile;
using cirrus::calibrate::parse_profile;
using cirrus::calibrate::read_profile;
using nlohmann::json;

const std::string kFixture =
    std::string(CIRRUS_SOURCE_DIR) + "/tests/data/calibrate/profile_fixture.json";

std::string with(const std::string& pointer, const json& value) {
  return cirrus::testing::with_value(cirrus::read_file(kFixture), pointer, value);
}

std::string without(const std::string& pointer) {
  return cirrus::testing::without_key(cirrus::read_file(kFixture), pointer);
}

// The InputError's path for a broken profile text ("" if it parses).
std::string error_path(const std::string& text) {
  try {
    parse_profile(text, "broken.json");
  } catch (const InputError& e) {
    CHECK(e.file() == "broken.json");
    return e.path();
  }
  return "";
}

}  // namespace

TEST_CASE("the profile fixture reads into its tables", "[calibrate]") {
  const auto p = read_profile(kFixture);
  CHECK(p.device.name == "NVIDIA H100 80GB HBM3");
  CHECK(p.device.gpu == "h100-sxm");
  CHECK(p.device.sm_count == 132);
  CHECK(p.device.l2_bytes == 52428800.0);
  CHECK(p.versions.cudnn == "9.19.0");
  CHECK(p.mode == "quick");
  REQUIRE(p.gemm.size() == 6);
  CHECK(p.gemm[0].m == 4096);
  CHECK(p.gemm[5].dtype == cirrus::models::Precision::kFp8);
  CHECK(p.gemm[0].tflops == Approx(700.0).epsilon(1e-4));
  REQUIRE(p.attention.size() == 2);
  CHECK(p.attention[1].seq == 8192);
  CHECK(p.attention[1].causal);
  CHECK(p.memory.size() == 8);
  CHECK(p.host_copy.size() == 6);
  REQUIRE(p.collectives.size() == 3);
  CHECK(p.collectives[0].source == cirrus::models::CollectiveSource::kCalibrate);
  CHECK(p.fits.empty());
  CHECK(p.notes.size() == 1);
}

TEST_CASE("a profile round-trips byte for byte", "[calibrate]") {
  const std::string text = cirrus::read_file(kFixture);
  CHECK(format_profile(parse_profile(text, kFixture)) == text);

  // With fits, through an atomic write and a read.
  auto p = parse_profile(text, kFixture);
  p.fits = cirrus::calibrate::fit_profile(p);
  REQUIRE_FALSE(p.fits.empty());
  const std::string once = format_profile(p);
  const auto dir =
      std::filesystem::temp_directory_path() / ("cirrus-profile-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "profile.json").string();
  cirrus::calibrate::write_profile(path, p);
  CHECK(cirrus::read_file(path) == once);
  CHECK(format_profile(read_profile(path)) == once);
  std::filesystem::remove_all(dir);
}

TEST_CASE("profile errors name the JSON path", "[calibrate]") {
  CHECK(error_path(cirrus::read_file(kFixture)).empty());
  CHECK(error_path(with("/gemmm", json::array())) == "gemmm");           // unknown key
  CHECK(error_path(with("/gemm/0/flops", 1)) == "gemm[0].flops");        // unknown key
  CHECK(error_path(with("/gemm/0/m", "4096")) == "gemm[0].m");           // wrong type
  CHECK(error_path(with("/gemm/0/m", -4)) == "gemm[0].m");               // not positive
  CHECK(error_path(with("/gemm/0/dtype", "bf17")) == "gemm[0].dtype");   // unknown dtype
  CHECK(error_path(with("/gemm/1/tflops", 900.0)) == "gemm[1].tflops");  // inconsistent
  CHECK(error_path(with("/memory/2/gbps", 100.0)) == "memory[2].gbps");
  CHECK(error_path(with("/host_copy/0/direction", "h2h")) == "host_copy[0].direction");
  CHECK(error_path(with("/attention/0/causal", 1)) == "attention[0].causal");
  CHECK(error_path(with("/collectives/0/busbw_gbs", 20.0)) == "collectives[0].busbw_gbs");
  CHECK(error_path(with("/collectives/0/ranks", 1)) == "collectives[0].ranks");
  CHECK(error_path(with("/collectives/0/source", "nccl")) == "collectives[0].source");
  CHECK(error_path(with("/cirrus_profile", 2)) == "cirrus_profile");
  CHECK(error_path(with("/device/gpu", "h100")) == "device.gpu");
  CHECK(error_path(with("/device/sm_cont", 1)) == "device.sm_cont");
  CHECK(error_path(with("/mode", "fast")) == "mode");
  CHECK(error_path(with("/fits", json::array({json{{"family", "gemm"}}}))) == "fits[0].key");
  CHECK(error_path(without("/date")) == "date");
  CHECK(error_path(without("/gemm/0/seconds")) == "gemm[0].seconds");
  // Malformed JSON is refused for the whole file (no path).
  CHECK_THROWS_AS(parse_profile("{\"cirrus_profile\": 1,", "x.json"), InputError);
}

TEST_CASE("an unreadable profile is an I/O error", "[calibrate]") {
  CHECK_THROWS_AS(read_profile("/nonexistent/profile.json"), cirrus::IoError);
}

TEST_CASE("round_significant keeps six digits", "[calibrate]") {
  using cirrus::calibrate::round_significant;
  CHECK(round_significant(123.456789) == 123.457);
  CHECK(round_significant(0.000123456789) == 0.000123457);
  CHECK(round_significant(0.0) == 0.0);
}
