#include "scenarios/residuals.hpp"

#include <fmt/format.h>
#include <filesystem>
#include <map>
#include <mutex>

#include "common/input_error.hpp"
#include "common/json_reader.hpp"
#include "common/read_file.hpp"

namespace cirrus::scenarios {

models::ResidualStats parse_residuals(const std::string& text, const std::string& file) {
  const nlohmann::json doc = JsonNode::parse(text, file);
  const JsonNode root(doc, file, "");
  if (!root.is_object()) root.fail("a residuals object ({\"cirrus_residuals\": 1, ...})");
  const JsonNode version = root.at("cirrus_residuals");
  if (version.as_int() != 1) version.fail("version 1");
  models::ResidualStats r;
  r.file = file;
  if (auto g = root.find("generated_by")) r.generated_by = g->as_string();
  // One list of groups: each (gpu_family, precision) once.
  const auto read_groups = [&](const JsonNode& groups, std::vector<models::ResidualGroup>& out) {
    if (!groups.is_array()) groups.fail("an array of groups");
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const JsonNode n = groups.index(i);
      if (!n.is_object()) n.fail("a group object");
      models::ResidualGroup g;
      const JsonNode family = n.at("gpu_family");
      g.gpu_family = family.as_string();
      if (g.gpu_family.empty()) family.fail("a GPU family (\"h100\", ...) or \"all\"");
      g.precision =
          n.at("precision").as_enum({"fp32", "tf32", "fp16", "bf16", "fp8", "int8", "all"});
      const JsonNode rows = n.at("rows");
      const std::int64_t count = rows.as_int();
      if (count < 0 || count > 1000000000) rows.fail("a count of runs, 0 or more");
      g.rows = static_cast<int>(count);
      g.median_error = n.at("median_error").as_number();
      g.sigma = n.at("sigma").as_non_negative();
      if (auto m = n.find("mape")) g.mape = m->as_non_negative();
      if (auto d = n.find("datasets")) {
        if (!d->is_array()) d->fail("an array of dataset names");
        for (std::size_t k = 0; k < d->size(); ++k) g.datasets.push_back(d->index(k).as_string());
      }
      for (const models::ResidualGroup& o : out) {
        if (o.gpu_family == g.gpu_family && o.precision == g.precision) {
          throw InputError(
              file, n.path(), "one group per (gpu_family, precision)",
              fmt::format("a second group for (\"{}\", \"{}\")", g.gpu_family, g.precision));
        }
      }
      out.push_back(std::move(g));
    }
  };
  read_groups(root.at("groups"), r.groups);
  if (auto v = root.find("serving_groups")) read_groups(*v, r.serving_groups);
  return r;
}

models::ResidualStats read_residuals(const std::string& path) {
  return parse_residuals(read_file(path), path);
}

std::shared_ptr<const models::ResidualStats> shared_residuals(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const models::ResidualStats>> cache;
  const std::lock_guard<std::mutex> lock(mutex);  // held while reading: one read per path
  if (const auto it = cache.find(path); it != cache.end()) return it->second;
  std::shared_ptr<const models::ResidualStats> stats;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    stats = std::make_shared<const models::ResidualStats>(read_residuals(path));
  }
  cache.emplace(path, stats);
  return stats;
}

}  // namespace cirrus::scenarios
