// `simulate --emit` and `plan --emit` through the real binary: the full SkyPilot YAML and
// Megatron-LM arguments of the shipped examples (tests/data/emit/, the version replaced by
// VERSION), their agreement with the JSON result (nodes, GPUs, strategy, predictions), a plain
// structural reading of the YAML, a shell syntax check of its `run` block, the same bytes for
// every -j, and the refusals: an unknown kind, --format json, an infeasible plan or step.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/golden/cli_support.hpp"
#include "tests/json_edit.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::with_value;
using cirrus::testing::write_text;

namespace {

const std::string kPinned = source_path("scenarios/examples/llama3-70b-h100.json");
const std::string kPlan = source_path("scenarios/examples/llama3-70b-plan.json");

// The output with this build's version replaced, as the golden files hold it.
std::string versionless(std::string out) {
  const std::string v = std::string("cirrus ") + CIRRUS_VERSION + " from";
  const auto pos = out.find(v);
  if (pos != std::string::npos) out.replace(pos, v.size(), "cirrus VERSION from");
  return out;
}

std::string golden(const std::string& name) {
  return slurp(source_path("tests/data/emit/" + name));
}

// The YAML read the plain way this emitter writes it: `key: value` at the top, `  key: value`
// under a key without a value, and the `run: |` block as text. Anything else fails the test.
struct Yaml {
  std::map<std::string, std::string> top;
  std::map<std::string, std::map<std::string, std::string>> nested;
  std::string run;
};

Yaml read_yaml(const std::string& text) {
  Yaml y;
  std::istringstream in(text);
  std::string line, section;
  bool in_run = false;
  while (std::getline(in, line)) {
    if (in_run) {
      REQUIRE(line.rfind("  ", 0) == 0);  // a literal block: every line indented
      y.run += line.substr(2) + "\n";
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const bool indented = line.rfind("  ", 0) == 0;
    const auto colon = line.find(": ");
    if (!indented && line.back() == ':') {
      section = line.substr(0, line.size() - 1);
      y.nested[section];
      continue;
    }
    INFO(line);
    REQUIRE(colon != std::string::npos);
    if (indented) {
      REQUIRE_FALSE(section.empty());
      y.nested[section][line.substr(2, colon - 2)] = line.substr(colon + 2);
    } else {
      section.clear();
      const std::string key = line.substr(0, colon);
      y.top[key] = line.substr(colon + 2);
      if (key == "run") {
        REQUIRE(y.top[key] == "|");
        in_run = true;
      }
    }
  }
  return y;
}

int env_int(const Yaml& y, const std::string& name) {
  std::string v = y.nested.at("envs").at(name);
  REQUIRE(v.size() >= 2);
  REQUIRE(v.front() == '"');
  return std::stoi(v.substr(1, v.size() - 2));
}

// Checks the YAML against the configuration's JSON result (`simulate --format json`, or a plan's
// `best`).
void check_against_result(const Yaml& y, const nlohmann::json& result) {
  const auto& config = result["config"];
  CHECK(y.top.count("name") == 1);
  CHECK(std::stoi(y.top.at("num_nodes")) == config["nodes"].get<int>());
  const auto& res = y.nested.at("resources");
  const std::string acc = res.at("accelerators");
  const int per_node = std::stoi(acc.substr(acc.find(':') + 1));
  const int gpus = config["gpus"].get<int>();
  CHECK(per_node * config["nodes"].get<int>() == gpus);
  CHECK(env_int(y, "TP") * env_int(y, "PP") * env_int(y, "DP") * env_int(y, "CP") == gpus);
  for (const auto& [key, env] :
       std::vector<std::pair<std::string, std::string>>{{"tp", "TP"},
                                                        {"pp", "PP"},
                                                        {"dp", "DP"},
                                                        {"cp", "CP"},
                                                        {"ep", "EP"},
                                                        {"micro_batch", "MICRO_BATCH"}}) {
    INFO(key);
    CHECK(env_int(y, env) == config[key].get<int>());
  }
  CHECK(res.at("use_spot") == "false");
  // The instance: "aws:p5.48xlarge" is infra aws/<region> and instance_type p5.48xlarge.
  const std::string instance = config["instance"];
  const auto colon = instance.find(':');
  CHECK(res.at("instance_type") == instance.substr(colon + 1));
  CHECK(res.at("infra").rfind(instance.substr(0, colon) + "/", 0) == 0);
  // torchrun on every node with SkyPilot's variables, then Megatron-LM.
  for (const char* s : {"--nnodes=$SKYPILOT_NUM_NODES", "--node_rank=$SKYPILOT_NODE_RANK",
                        "--nproc_per_node=$SKYPILOT_NUM_GPUS_PER_NODE",
                        "--master_addr=$(echo \"$SKYPILOT_NODE_IPS\" | head -n1)",
                        "pretrain_gpt.py", "--tensor-model-parallel-size $TP"}) {
    INFO(s);
    CHECK(y.run.find(s) != std::string::npos);
  }
}

// The header's predictions are the result's ("predicted step 16.326 s (engine), 22.5 days,
// $1.90M on-demand"), to the digits each shows (the JSON rounds to 6 significant digits).
void check_header(const std::string& out, const nlohmann::json& result, double days) {
  const std::string header = out.substr(0, out.find('\n'));
  INFO(header);
  const auto step_at = header.find("predicted step ");
  REQUIRE(step_at != std::string::npos);
  CHECK(std::stod(header.substr(step_at + 15)) ==
        Approx(result["step_time_s"].get<double>()).margin(0.0011));
  CHECK(header.find(" s (engine), ") != std::string::npos);
  const auto days_at = header.find("(engine), ");
  CHECK(std::stod(header.substr(days_at + 10)) == Approx(days).margin(0.051));
  const auto usd_at = header.find(", $");
  REQUIRE(usd_at != std::string::npos);
  CHECK(std::stod(header.substr(usd_at + 3)) * 1e6 ==
        Approx(result["cost"]["usd_total"].get<double>()).margin(0.0051e6));
  CHECK(header.find("M on-demand") != std::string::npos);
}

// A shell syntax check of the run block (bash -n): the continuation lines join up.
void check_shell(const std::string& run) {
  const std::string file = scratch_dir() + "/run.sh";
  write_text(file, run);
  CHECK(std::system(("bash -n " + file).c_str()) == 0);
}

}  // namespace

TEST_CASE("simulate --emit: the pinned example as SkyPilot YAML and Megatron-LM arguments",
          "[golden][emit][e2e]") {
  const auto yaml = run_cli("simulate " + kPinned + " --emit skypilot");
  INFO(yaml.err);
  REQUIRE(yaml.status == 0);
  CHECK(yaml.err.empty());
  CHECK(versionless(yaml.out) == golden("llama3-70b-h100.skypilot.yaml"));

  const auto args = run_cli("simulate " + kPinned + " --emit megatron");
  REQUIRE(args.status == 0);
  CHECK(versionless(args.out) == golden("llama3-70b-h100.megatron.txt"));

  const auto json = run_cli("simulate " + kPinned + " --format json");
  REQUIRE(json.status == 0);
  const auto result = nlohmann::json::parse(json.out);
  const Yaml y = read_yaml(yaml.out);
  check_against_result(y, result);
  const double days = result["run"]["days"];
  check_header(yaml.out, result, days);
  check_header(args.out, result, days);
  check_shell(y.run);
  // The Megatron-LM arguments are the run block's, with the envs' values filled in.
  CHECK(y.run.find("--tensor-model-parallel-size $TP \\") != std::string::npos);
  CHECK(args.out.find("--tensor-model-parallel-size 8 \\\n") != std::string::npos);
  CHECK(args.out.back() == '\n');
  CHECK(args.out.find("\\\n", args.out.rfind("--")) == std::string::npos);  // last: no '\'
}

TEST_CASE("plan --emit: the best of the shipped plan, the same bytes for every -j",
          "[golden][emit][plan][e2e]") {
  const auto one = run_cli("plan " + kPlan + " --emit skypilot -j 1");
  INFO(one.err);
  REQUIRE(one.status == 0);
  CHECK(versionless(one.out) == golden("llama3-70b-plan.skypilot.yaml"));
  const auto two = run_cli("plan " + kPlan + " --emit skypilot -j 2");
  CHECK(two.out == one.out);

  const auto args = run_cli("plan " + kPlan + " --emit megatron -j 2");
  REQUIRE(args.status == 0);
  CHECK(versionless(args.out) == golden("llama3-70b-plan.megatron.txt"));

  const auto json = run_cli("plan " + kPlan + " --format json -j 2");
  REQUIRE(json.status == 0);
  const auto best = nlohmann::json::parse(json.out)["best"];
  const Yaml y = read_yaml(one.out);
  check_against_result(y, best);
  check_header(one.out, best, best["cost"]["run_days"].get<double>());
  check_shell(y.run);

  // -o writes the same bytes to the file and nothing to stdout.
  const std::string file = scratch_dir() + "/plan.yaml";
  const auto to_file = run_cli("plan " + kPlan + " --emit skypilot -o " + file);
  CHECK(to_file.status == 0);
  CHECK(to_file.out.empty());
  CHECK(slurp(file) == one.out);
}

TEST_CASE("emit refusals: unknown kind, beside --format json, infeasible", "[golden][emit][e2e]") {
  const auto unknown = run_cli("plan " + kPlan + " --emit yaml");
  CHECK(unknown.status == 2);
  CHECK(unknown.out.empty());
  CHECK(unknown.err.find("skypilot") != std::string::npos);
  CHECK(unknown.err.find("megatron") != std::string::npos);

  for (const char* format : {"json", "csv"}) {
    const auto both = run_cli("simulate " + kPinned + " --emit megatron --format " + format);
    CHECK(both.status == 2);
    CHECK(both.out.empty());
    CHECK(both.err.find("--emit") != std::string::npos);
  }

  // No configuration meets a 1-day limit: nothing on stdout or in -o, the plan's reason on
  // stderr, exit 4.
  const std::string plan = scratch_dir() + "/one-day.json";
  write_text(plan, with_value(slurp(kPlan), "/objective/max_days", 1));
  const std::string file = scratch_dir() + "/never.yaml";
  std::filesystem::remove(file);
  const auto none = run_cli("plan " + plan + " --emit skypilot -o " + file);
  CHECK(none.status == 4);
  CHECK(none.out.empty());
  CHECK(none.err.find("max_days") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(file));

  // A step that does not fit in memory: the same.
  std::string step = slurp(kPinned);
  for (const auto& [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"/strategy/tp", 1},
           {"/strategy/pp", 1},
           {"/strategy/dp", 512},
           {"/strategy/zero", 0},
           {"/strategy/sequence_parallel", false}}) {
    step = with_value(step, key, value);
  }
  const std::string pinned = scratch_dir() + "/oom.json";
  write_text(pinned, step);
  const auto oom = run_cli("simulate " + pinned + " --emit megatron");
  CHECK(oom.status == 4);
  CHECK(oom.out.empty());
  CHECK(oom.err.find("out of memory") != std::string::npos);
}
