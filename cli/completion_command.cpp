// `cirrus completion bash|zsh`: a shell completion script made from the commands and options
// as they are registered here, so it never falls behind them: command and subcommand names,
// each command's options, and file names for arguments. zsh loads the bash script through
// bashcompinit, as zsh documents for bash completions.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace cirrus::cli {
namespace {

struct Node {
  std::string path;                // " calibrate import-nccl-tests"; "" for cirrus itself
  std::vector<std::string> words;  // subcommands, then options
};

void walk(const CLI::App& app, const std::string& path, std::vector<Node>& out) {
  Node n{path, {}};
  std::vector<const CLI::App*> subs = app.get_subcommands([](const CLI::App*) { return true; });
  for (const CLI::App* s : subs) n.words.push_back(s->get_name());
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& l : o->get_lnames()) n.words.push_back("--" + l);
    for (const auto& s : o->get_snames()) n.words.push_back("-" + s);
  }
  out.push_back(n);
  for (const CLI::App* s : subs) walk(*s, path + " " + s->get_name(), out);
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& w : v) s += (s.empty() ? "" : " ") + w;
  return s;
}

std::string bash_script(const CLI::App& root) {
  std::vector<Node> nodes;
  walk(root, "", nodes);
  std::string known, cases;
  for (const Node& n : nodes) {
    if (!n.path.empty()) known += fmt::format("{}\"{}\"", known.empty() ? "" : "|", n.path);
    cases += fmt::format("    \"{}\") words=\"{}\" ;;\n", n.path, join(n.words));
  }
  return fmt::format(
      "# bash completion for cirrus (made by `cirrus completion bash`)\n"
      "_cirrus() {{\n"
      "  local cur=${{COMP_WORDS[COMP_CWORD]}} path=\"\" words=\"\" i\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \"$path ${{COMP_WORDS[i]}}\" in\n"
      "      {}) path=\"$path ${{COMP_WORDS[i]}}\" ;;\n"
      "    esac\n"
      "  done\n"
      "  case \"$path\" in\n"
      "{}"
      "  esac\n"
      "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      "  if [[ -n $path && $cur != -* ]]; then COMPREPLY+=($(compgen -f -- \"$cur\")); fi\n"
      "}}\n"
      "complete -o filenames -F _cirrus cirrus\n",
      known, cases);
}

}  // namespace

Action add_completion(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("completion", "print a bash or zsh completion script");
  sub->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  sub->add_option("-o,--out", *out, "write to this file (atomically) instead of stdout");
  const CLI::App* root = &app;
  return [shell, out, root]() {
    const std::string script = bash_script(*root);
    emit(*shell == "zsh" ? "#compdef cirrus\nautoload -U +X bashcompinit && bashcompinit\n" + script
                         : script,
         *out);
    return kExitOk;
  };
}

}  // namespace cirrus::cli
