// What the importers share: reading the input files, dispatch, number and date parsing.
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>

#include "common/atomic_write.hpp"
#include "common/input_error.hpp"
#include "pricing/importers.hpp"

namespace cirrus::pricing {

const char* to_string(ImportFormat f) {
  switch (f) {
    case ImportFormat::kAwsOffer:
      return "aws-offer";
    case ImportFormat::kAzureRetail:
      return "azure-retail";
    case ImportFormat::kGcpSkus:
      return "gcp-skus";
    case ImportFormat::kSkyPilot:
      return "skypilot";
  }
  return "unknown";
}

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
    f.text = read_file(p);
    const auto mtime = fs::last_write_time(p, ec);
    if (!ec) {
      // file_clock -> system_clock through the duration since the epoch of each (C++20's
      // clock_cast is missing from libstdc++ 12); UTC calendar date.
      const auto sys = std::chrono::time_point_cast<std::chrono::seconds>(
          mtime - fs::file_time_type::clock::now() + std::chrono::system_clock::now());
      const auto days = std::chrono::floor<std::chrono::days>(sys);
      const std::chrono::year_month_day ymd(days);
      f.modified =
          fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    }
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
  std::vector<std::string> shown(keys.begin(),
                                 keys.begin() + std::min<std::size_t>(keys.size(), 6));
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

}  // namespace detail

}  // namespace cirrus::pricing
