#include "scenarios/serving_validation_set.hpp"

#include <fmt/format.h>

#include "common/input_error.hpp"
#include "common/json_reader.hpp"
#include "common/read_file.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::scenarios {

bool is_serving_validation_set(const std::string& path) {
  try {
    const auto j = nlohmann::json::parse(read_file(path));
    return j.is_object() && j.contains("cirrus_serving_validation");
  } catch (const std::exception&) {
    return false;
  }
}

ServingValidationSet load_serving_validation_set(const std::string& path) {
  return parse_serving_validation_set(read_file(path), path);
}

ServingValidationSet parse_serving_validation_set(const std::string& text,
                                                  const std::string& path) {
  const nlohmann::json doc = JsonNode::parse(text, path);
  const JsonNode root(doc, path, "");
  if (!root.is_object()) root.fail("a serving validation dataset object");
  root.check_keys({"cirrus_serving_validation", "title", "source", "generated_by", "setup",
                   "assumed", "serving_rows"});
  const JsonNode version = root.at("cirrus_serving_validation");
  if (version.as_int() != 1) version.fail("version 1");
  ServingValidationSet set;
  set.file = path;
  set.title = root.at("title").as_string();
  set.source = root.at("source").as_string();
  if (auto v = root.find("generated_by")) v->as_string();
  if (auto v = root.find("setup")) {
    if (!v->is_object()) v->fail("an object of stated settings");
    for (const std::string& k : v->keys()) {
      const nlohmann::json& x = v->raw().at(k);
      set.setup.push_back(
          fmt::format("{}: {}", k, x.is_string() ? x.get<std::string>() : x.dump()));
    }
  }
  if (auto v = root.find("assumed")) {
    if (!v->is_array()) v->fail("a list of strings");
    for (std::size_t i = 0; i < v->size(); ++i) set.assumptions.push_back(v->index(i).as_string());
  }
  const JsonNode rows = root.at("serving_rows");
  if (!rows.is_array() || rows.size() == 0) rows.fail("a non-empty list of rows");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const JsonNode r = rows.index(i);
    if (!r.is_object()) r.fail("a row object");
    r.check_keys({"id", "model", "source", "stated", "notes", "uncertain",
                  "measured_output_tokens_per_s", "scenario"});
    ServingValidationRow row;
    row.id = r.at("id").as_string();
    if (auto v = r.find("model")) row.model = v->as_string();
    if (auto v = r.find("source")) row.source = v->as_string();
    if (auto v = r.find("stated")) row.stated = v->as_string();
    if (auto v = r.find("notes")) row.notes = v->as_string();
    if (auto v = r.find("uncertain")) row.uncertain = v->as_bool();
    row.measured_output_tokens_per_s = r.at("measured_output_tokens_per_s").as_positive();
    const JsonNode sc = r.at("scenario");
    if (!sc.is_object()) sc.fail("a scenario object with a serving block");
    // The loader reads it as a file of its own: its errors name the dataset and the row.
    row.scenario = parse_scenario(sc.raw().dump(), fmt::format("{} ({})", path, sc.path()));
    if (!row.scenario.serving) sc.fail("a scenario with a serving block");
    set.rows.push_back(std::move(row));
  }
  return set;
}

}  // namespace cirrus::scenarios
