// What the importers share: reading the input files, dispatch, number and date parsing.
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include "common/enum_names.hpp"
#include "common/excerpt.hpp"

#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "pricing/importers.hpp"

namespace cirrus::pricing {

constexpr EnumNames<ImportFormat, 4> kImportFormatNames = {
    {{ImportFormat::kAwsOffer, "aws-offer"},
     {ImportFormat::kAzureRetail, "azure-retail"},
     {ImportFormat::kGcpSkus, "gcp-skus"},
     {ImportFormat::kSkyPilot, "skypilot"}}};

const char* to_string(ImportFormat f) { return name_in(kImportFormatNames, f); }

std::vector<std::string> import_format_names() {
  return {"aws-offer", "azure-retail", "gcp-skus", "skypilot"};
}

std::optional<ImportFormat> parse_import_format(std::string_view name) {
  for (const ImportFormat f : {ImportFormat::kAwsOffer, ImportFormat::kAzureRetail,
                               ImportFormat::kGcpSkus, ImportFormat::kSkyPilot}) {
    if (name == to_string(f)) return f;
  }
  return std::nullopt;
}

std::string default_region(std::string_view provider) {
  if (provider == "aws" || provider == "lambda") return "us-east-1";
  if (provider == "azure") return "eastus";
  if (provider == "gcp") return "us-central1";
  return "";
}

std::vector<InputFile> read_input_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<InputFile> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) throw IoError(p + ": is a directory, not a price file");
    InputFile f;
    f.path = p;
    f.text = read_file(p, kMaxPriceFileBytes);
    files.push_back(std::move(f));
  }
  return files;
}

Catalog import_catalog(ImportFormat format, const std::vector<InputFile>& files,
                       const ImportOptions& options) {
  if (files.empty()) throw InputError("", "", "at least one price file", "none");
  if (!options.retrieved.empty() && !is_catalog_date(options.retrieved)) {
    throw InputError("", "--retrieved", "a date YYYY-MM-DD", "\"" + options.retrieved + "\"");
  }
  switch (format) {
    case ImportFormat::kAwsOffer:
      return import_aws_offer(files, options);
    case ImportFormat::kAzureRetail:
      return import_azure_retail(files, options);
    case ImportFormat::kGcpSkus:
      return import_gcp_skus(files, options);
    case ImportFormat::kSkyPilot:
      return import_skypilot(files, options);
  }
  throw InputError("", "--format", "a known format", "an unknown one");
}

namespace detail {

std::optional<double> parse_decimal(std::string_view text) {
  std::string s;
  for (const char c : text) {
    if (c == ',' || c == ' ' || c == '\t' || c == '$') continue;
    s.push_back(c);
  }
  if (s.empty()) return std::nullopt;
  double v = 0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (*begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ec != std::errc() || ptr != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> leading_number(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  std::size_t j = i;
  while (j < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.' || text[j] == ',')) {
    ++j;
  }
  if (i == j) return std::nullopt;
  return parse_decimal(text.substr(i, j - i));
}

std::string date_part(std::string_view timestamp) {
  if (timestamp.size() < 10) return "";
  const std::string d(timestamp.substr(0, 10));
  return is_catalog_date(d) ? d : "";
}

std::string base_name(std::string_view path) {
  const auto slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string file_names(const std::vector<InputFile>& files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ", ") + f.path;
  return out;
}

std::string describe_json_keys(const std::vector<std::string>& keys) {
  auto has = [&](const char* k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
  if (has("products") && has("terms")) return "an AWS Price List offer file (products, terms)";
  if (has("Items")) return "an Azure Retail Prices response (Items)";
  if (has("skus")) return "a GCP Cloud Billing Catalog SKU list (skus)";
  if (has("cirrus_catalog")) return "a cirrus catalog (cirrus_catalog)";
  if (has("cirrus")) return "a cirrus scenario";
  if (keys.empty()) return "a JSON value with no keys";
  const std::vector<std::string> shown(
      keys.begin(),
      keys.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(keys.size(), 6)));
  return fmt::format("a JSON object with keys {}{}", fmt::join(shown, ", "),
                     keys.size() > shown.size() ? ", ..." : "");
}

bool is_clean_text(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return false;
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += extra + 1;
  }
  return true;
}

void require_clean_text(std::string_view text, const std::string& file, const std::string& where) {
  if (is_clean_text(text)) return;
  std::string shown;
  for (const char c : text.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    shown += (u >= 0x20 && u < 0x7F) ? std::string(1, c) : fmt::format("\\x{:02X}", u);
  }
  throw InputError(file, where, "UTF-8 text without control characters", "\"" + shown + "\"");
}

std::string preview_list(const std::vector<std::string>& items, std::size_t max_items) {
  if (items.empty()) return "none";
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max_items; ++i) {
    out += (i == 0 ? "" : ", ") + items[i];
  }
  if (items.size() > max_items) out += fmt::format(", ... ({} in all)", items.size());
  return out;
}

std::string describe_text_start(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "an empty file";
  text.remove_prefix(first);
  const std::string_view line = text.substr(0, text.find_first_of("\r\n"));
  std::string shown;
  for (const char c : line.substr(0, 60)) {
    const auto u = static_cast<unsigned char>(c);
    shown += (u >= 0x20 && u < 0x7F) ? std::string(1, c) : fmt::format("\\x{:02X}", u);
  }
  if (line.size() > 60) shown += "...";
  if (line.find(',') != std::string_view::npos && line.front() != '{' && line.front() != '[') {
    return fmt::format("CSV text (first line \"{}\")", shown);
  }
  return fmt::format("text starting \"{}\"", shown);
}

namespace {

// The end (one past the closing bracket) of the JSON object or array that starts at `pos`, or
// npos when the text ends first. Brackets inside strings do not count.
std::size_t json_value_end(std::string_view t, std::size_t pos) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = pos; i < t.size(); ++i) {
    const char c = t[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

std::size_t skip_space(std::string_view t, std::size_t pos) {
  while (pos < t.size() && (t[pos] == ' ' || t[pos] == '\t' || t[pos] == '\r' || t[pos] == '\n')) {
    ++pos;
  }
  return pos;
}

std::size_t line_at(std::string_view t, std::size_t pos) {
  return 1 + static_cast<std::size_t>(std::count(t.begin(), t.begin() + pos, '\n'));
}

}  // namespace

std::vector<nlohmann::json> parse_json_documents(const InputFile& file, const std::string& what) {
  const std::string_view t = file.text;
  std::size_t pos = skip_space(t, t.starts_with("\xEF\xBB\xBF") ? 3 : 0);
  if (pos >= t.size()) throw InputError(file.path, "", what, "an empty file");
  if (t[pos] != '{' && t[pos] != '[') throw InputError(file.path, "", what, describe_text_start(t));
  std::vector<nlohmann::json> docs;
  while (pos < t.size()) {
    if (t[pos] != '{' && t[pos] != '[') {
      throw InputError(
          file.path, fmt::format("line {}", line_at(t, pos)), "well-formed JSON",
          "text after the end of a JSON document: " + describe_text_start(t.substr(pos)));
    }
    const std::size_t end = json_value_end(t, pos);
    // The first document is parsed from the start of the file so that nlohmann's line and
    // column are the file's; later ones are told apart by the line they start on.
    const std::size_t from = docs.empty() ? 0 : pos;
    const std::size_t to = end == std::string_view::npos ? t.size() : end;
    try {
      docs.push_back(nlohmann::json::parse(t.begin() + static_cast<std::ptrdiff_t>(from),
                                           t.begin() + static_cast<std::ptrdiff_t>(to)));
    } catch (const nlohmann::json::exception& e) {
      // nlohmann's message begins "[json.exception.parse_error.101] parse error at line 3,
      // column 7: ...".
      std::string found = e.what();
      if (const auto at = found.find("] "); at != std::string::npos) found = found.substr(at + 2);
      const auto* parse_error = dynamic_cast<const nlohmann::json::parse_error*>(&e);
      if (!docs.empty() && parse_error != nullptr && parse_error->byte > 0) {
        // A later document: its line and column are counted from its start; give the file's.
        const std::size_t at = std::min(t.size(), from + parse_error->byte - 1);
        const std::size_t line_start = t.rfind('\n', at == 0 ? 0 : at - 1);
        const std::size_t column = line_start == std::string_view::npos ? at + 1 : at - line_start;
        const auto colon = found.find(": ");
        found = fmt::format(
            "parse error at line {}, column {} (in the JSON document that starts "
            "on line {}){}",
            line_at(t, at), column, line_at(t, pos),
            colon == std::string::npos ? "" : found.substr(colon));
      }
      throw InputError(file.path, "", "well-formed JSON (" + what + ")", found);
    }
    if (end == std::string_view::npos) {  // not closed, yet it parsed: cannot happen
      throw InputError(file.path, "", "well-formed JSON", "a document that is not closed");
    }
    pos = skip_space(t, end);
  }
  return docs;
}

void require_field_count(std::size_t fields, std::size_t header_fields, const std::string& file,
                         std::size_t line) {
  if (fields == header_fields) return;
  throw InputError(file, fmt::format("line {}", line),
                   fmt::format("{} fields, as many as the header names", header_fields),
                   fmt::format("{} (a truncated or malformed row)", fields));
}

void require_plausible_prices(const Catalog& catalog, const std::string& files) {
  for (const Instance& in : catalog.instances) {
    for (const PricingModel m : kPricingModels) {
      const auto p = in.prices.get(m);
      if (p && *p > kMaxHourlyPrice) {
        throw InputError(files, in.name + " " + price_key(m),
                         fmt::format("an hourly price of at most {:.0f} USD", kMaxHourlyPrice),
                         fmt::format("{:.6g}", *p));
      }
    }
  }
}

std::string quoted(std::string_view text) { return "\"" + excerpt(text, 60, true) + "\""; }

}  // namespace detail

}  // namespace cirrus::pricing
