// The validation result model (app/step_validation.hpp) and its renderers
// (reports/validation_report.hpp): error statistics by hand, the grouping of the summaries,
// and the residuals file (its statistics, order and determinism).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/step_validation.hpp"
#include "reports/validation_report.hpp"

namespace {

using cirrus::app::DatasetValidation;
using cirrus::app::error_stats;
using cirrus::app::GroupBy;
using cirrus::app::RowStatus;
using cirrus::app::summarize;
using cirrus::app::ValidationRowResult;

ValidationRowResult row(const std::string& id, const std::string& family,
                        const std::string& precision, const std::string& framework, double error,
                        RowStatus status = RowStatus::kPredicted) {
  ValidationRowResult r;
  r.id = id;
  r.gpu_family = family;
  r.precision = precision;
  r.framework = framework;
  r.status = status;
  r.published_s = 1.0;
  r.predicted_s = 1.0 + error;
  r.error = status == RowStatus::kPredicted ? error : 0.0;
  return r;
}

DatasetValidation dataset(const std::string& name, std::vector<ValidationRowResult> rows) {
  DatasetValidation d;
  d.name = name;
  d.file = "data/validation/" + name;
  d.title = name;
  d.rows = std::move(rows);
  return d;
}

// Two datasets over two families, two precisions and two frameworks, with one refused and one
// unsupported row.
std::vector<DatasetValidation> fixture() {
  return {dataset("b.json", {row("b1", "h100", "bf16", "torchtitan", -0.10),
                             row("b2", "h100", "fp8", "torchtitan", -0.30),
                             row("b3", "h100", "fp8", "torchtitan", 0, RowStatus::kRefused),
                             row("b4", "a100", "bf16", "torchtitan", 0.05)}),
          dataset("a.json", {row("a1", "h100", "bf16", "MosaicML Composer FSDP", -0.20),
                             row("a2", "h100", "bf16", "MosaicML Composer FSDP", 0.10),
                             row("a3", "a100", "bf16", "MosaicML Composer FSDP", 0,
                                 RowStatus::kUnsupported)})};
}

}  // namespace

TEST_CASE("error statistics by hand", "[reports][validation]") {
  // e = -0.2, +0.1, -0.1, +0.4: MAPE 0.2, mean 0.05, median (-0.1 + 0.1) / 2 = 0,
  // sigma = sqrt(((-0.25)^2 + 0.05^2 + (-0.15)^2 + 0.35^2) / 3) = sqrt(0.21 / 3).
  const auto s = error_stats({-0.2, 0.1, -0.1, 0.4});
  CHECK(s.n == 4);
  CHECK(s.mape == Approx(0.2));
  CHECK(s.mean == Approx(0.05));
  CHECK(s.median == Approx(0.0).margin(1e-15));
  CHECK(s.sigma == Approx(std::sqrt(0.21 / 3)));
  const auto odd = error_stats({0.3, -0.5, 0.1});
  CHECK(odd.median == Approx(0.1));
  const auto one = error_stats({-0.07});
  CHECK(one.median == Approx(-0.07));
  CHECK(one.sigma == 0);
  CHECK(error_stats({}).n == 0);
}

TEST_CASE("summaries group by GPU family, precision and framework", "[reports][validation]") {
  const auto sets = fixture();
  const auto g = summarize(sets, GroupBy::kFamilyPrecisionFramework);
  // Sorted by (family, precision, framework).
  REQUIRE(g.size() == 5);
  CHECK(g[0].gpu_family == "a100");
  CHECK(g[0].framework == "MosaicML Composer FSDP");
  CHECK(g[0].rows == 1);
  CHECK(g[0].unsupported == 1);
  CHECK(g[0].stats.n == 0);
  CHECK(g[1].framework == "torchtitan");
  CHECK(g[2].gpu_family == "h100");
  CHECK(g[2].precision == "bf16");
  CHECK(g[2].framework == "MosaicML Composer FSDP");
  CHECK(g[2].stats.n == 2);
  CHECK(g[2].stats.mape == Approx(0.15));
  CHECK(g[2].stats.median == Approx(-0.05));
  CHECK(g[2].worst_id == "a1");
  CHECK(g[4].precision == "fp8");
  CHECK(g[4].rows == 2);
  CHECK(g[4].refused == 1);
  CHECK(g[4].predicted == 1);

  const auto fp = summarize(sets, GroupBy::kFamilyPrecision);
  REQUIRE(fp.size() == 3);  // a100 bf16, h100 bf16, h100 fp8
  CHECK(fp[1].framework == "all");
  CHECK(fp[1].stats.n == 3);
  CHECK(fp[1].datasets == std::vector<std::string>{"a.json", "b.json"});
  const auto p = summarize(sets, GroupBy::kPrecision);
  REQUIRE(p.size() == 2);
  CHECK(p[0].gpu_family == "all");
  CHECK(p[0].stats.n == 4);
  const auto all = summarize(sets, GroupBy::kAll);
  REQUIRE(all.size() == 1);
  CHECK(all[0].rows == 7);
  CHECK(all[0].predicted == 5);
  CHECK(all[0].worst_id == "b2");
  CHECK(all[0].worst_error == Approx(-0.30));
}

TEST_CASE("the residuals file: groups, statistics and the same bytes every time",
          "[reports][validation]") {
  const auto sets = fixture();
  const std::string text = cirrus::reports::render_residuals(sets);
  CHECK(text == cirrus::reports::render_residuals(fixture()));
  const auto j = nlohmann::json::parse(text);
  CHECK(j["cirrus_residuals"] == 1);
  CHECK(j["generated_by"] == cirrus::reports::kResidualsCommand);
  CHECK(j["statistics"].get<std::string>().find("rows - 1") != std::string::npos);
  const auto& groups = j["groups"];
  // (a100, bf16), (h100, bf16), (h100, fp8), then (all, bf16), (all, fp8), then (all, all).
  REQUIRE(groups.size() == 6);
  CHECK(groups[0]["gpu_family"] == "a100");
  CHECK(groups[0]["rows"] == 1);
  CHECK(groups[1]["gpu_family"] == "h100");
  CHECK(groups[1]["rows"] == 3);
  CHECK(groups[1]["median_error"].get<double>() == Approx(-0.10));
  CHECK(groups[1]["mape"].get<double>() == Approx(0.40 / 3).epsilon(1e-3));
  // -0.1, -0.2, +0.1: mean -0.0667; sigma = sqrt((0.0333^2 + 0.1333^2 + 0.1667^2) / 2).
  CHECK(groups[1]["sigma"].get<double>() == Approx(std::sqrt(0.04667 / 2)).epsilon(1e-3));
  CHECK(groups[2]["precision"] == "fp8");
  CHECK(groups[3]["gpu_family"] == "all");
  CHECK(groups[5]["gpu_family"] == "all");
  CHECK(groups[5]["precision"] == "all");
  CHECK(groups[5]["rows"] == 5);
  CHECK(groups[5]["datasets"] == nlohmann::json::array({"a.json", "b.json"}));
  // Stable under the order the datasets are given in.
  auto reversed = fixture();
  std::swap(reversed[0], reversed[1]);
  const auto j2 = nlohmann::json::parse(cirrus::reports::render_residuals(reversed));
  CHECK(j2["groups"][1]["median_error"] == groups[1]["median_error"]);
  CHECK(j2["groups"][5]["mape"] == groups[5]["mape"]);
}

TEST_CASE("dataset JSON keeps the fields scripts read and adds the status",
          "[reports][validation]") {
  auto d = dataset("a.json", {row("ok", "a100", "fp16", "Megatron-LM", 0.05),
                              row("oom", "a100", "fp16", "Megatron-LM", 0, RowStatus::kRefused)});
  d.rows[1].reason = "out of memory";
  d.rows[1].published_memory_gib = 70.0;
  d.rows[1].predicted_memory_gib = 90.0;
  d.rows[1].predicted_reserved_gib = 89.0;
  d.stats = error_stats({0.05});
  const auto j = cirrus::reports::dataset_json(d);
  CHECK(j["rows"][0]["status"] == "predicted");
  CHECK(j["rows"][0].contains("predicted_s"));
  CHECK(j["rows"][0].contains("error"));
  CHECK_FALSE(j["rows"][0].contains("calibration"));
  CHECK(j["rows"][1]["status"] == "refused");
  CHECK(j["rows"][1]["feasible"] == false);
  CHECK(j["rows"][1]["reason"] == "out of memory");
  CHECK(j["rows"][1]["published_memory_gib"] == 70.0);
  CHECK(j["rows"][1]["predicted_memory_gib"] == 90.0);
  CHECK(j["rows"][1]["predicted_reserved_gib"] == 89.0);
  CHECK(j["not_predicted"] == 1);
  CHECK(j["summary"][0]["refused"] == 1);
  const std::string table = cirrus::reports::render_dataset_table(d);
  CHECK_THAT(table, Catch::Contains("refused: out of memory"));
  // The memory column sets the published peak (torch.cuda's max reserved) beside the
  // predicted reserved memory, not the whole peak.
  CHECK_THAT(table, Catch::Contains("70.0/89.0"));
  CHECK_THAT(table, Catch::Contains("1 refused (errors: every row ran for real)"));
}
