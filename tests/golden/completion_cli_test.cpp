// `cirrus completion bash|zsh`: the script, loaded in a real bash, completes commands,
// subcommands and each command's options as they are registered.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;

namespace {

// What bash's completion offers for `words` (the last one being completed).
std::string complete(const std::string& words) {
  const std::string script = scratch_dir() + "/cirrus.bash";
  const std::string out = scratch_dir() + "/completion.txt";
  const std::string cmd = std::string(CIRRUS_BINARY) + " completion bash -o " + script +
                          " && bash -c 'source " + script + "; COMP_WORDS=(" + words +
                          "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _cirrus; "
                          "printf \"%s\\n\" \"${COMPREPLY[@]}\"' > " +
                          out;
  const int raw = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(raw));
  REQUIRE(WEXITSTATUS(raw) == 0);
  return slurp(out);
}

bool offers(const std::string& list, const std::string& word) {
  return ("\n" + list).find("\n" + word + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("bash completion: commands, subcommands and options", "[golden][completion]") {
  const std::string top = complete("cirrus pl");
  CHECK(offers(top, "plan"));
  CHECK_FALSE(offers(top, "simulate"));
  CHECK(offers(complete("cirrus calibrate import-"), "import-nccl-tests"));
  CHECK(offers(complete("cirrus calibrate import-"), "import-vidur"));
  const std::string plan = complete("cirrus plan x.json --no-p");
  CHECK(offers(plan, "--no-progress"));
  CHECK(offers(complete("cirrus check --st"), "--strict"));
  // Options of another command are not offered.
  CHECK_FALSE(offers(complete("cirrus simulate --no-p"), "--no-progress"));
}

TEST_CASE("zsh completion loads the same script through bashcompinit", "[golden][completion]") {
  const auto zsh = run_cli("completion zsh");
  REQUIRE(zsh.status == 0);
  CHECK(zsh.out.rfind("#compdef cirrus\n", 0) == 0);
  CHECK(zsh.out.find("complete -o filenames -F _cirrus cirrus") != std::string::npos);
  CHECK(run_cli("completion fish").status == 2);
}
