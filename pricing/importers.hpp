#pragma once
// Importers of the providers' own price files into the catalog format (REFERENCE.md §3):
//
//   aws-offer     the AWS Price List offer file of EC2, JSON or CSV (all regions or one)
//   azure-retail  the Azure Retail Prices API response, one or more pages (Items[])
//   gcp-skus      the GCP Cloud Billing Catalog SKU list of Compute Engine, one or more pages
//   skypilot      SkyPilot's catalog vms.csv, schema v6 to v8, columns read by header name
//
// The filtering rules are the providers' (REFERENCE.md §3): on-demand prices are Linux, shared
// tenancy, used capacity, no pre-installed software; no Windows, Spot, Low Priority or DevTest
// rows; a reservation's whole-term price becomes an hourly one; a spot price equal to the
// on-demand one means there is no spot offer (null). A price of 0 is never kept.
//
// Every importer throws InputError naming the file for a truncated or malformed file, a file
// of another format, and a region with no rows; it never returns a half-read catalog.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pricing/catalog.hpp"

namespace cirrus::pricing {

enum class ImportFormat { kAwsOffer, kAzureRetail, kGcpSkus, kSkyPilot };

// "aws-offer", "azure-retail", "gcp-skus", "skypilot".
const char* to_string(ImportFormat f);
std::optional<ImportFormat> parse_import_format(std::string_view name);
std::vector<std::string> import_format_names();

struct ImportOptions {
  // The region whose prices are read; empty: the provider's reference region (us-east-1,
  // eastus, us-central1; for SkyPilot the inferred provider's).
  std::string region;
  // The date every price gets; empty: the date the file itself gives (AWS publicationDate,
  // Azure's latest effectiveStartDate, GCP's latest effectiveTime). SkyPilot files carry no
  // date, so they need it. Never the file's modification time: the same prices imported twice
  // give the same bytes.
  std::string retrieved;
  // SkyPilot only: aws, gcp, azure or lambda; empty: inferred from the instance names.
  std::string provider;
  // GCP only: add the auto-attached local SSD (a2-ultragpu, a3) to the machine's price. Off by
  // default: Google's published per-machine prices (and the acceptance figure 87.83 for
  // a3-highgpu-8g) are vCPU + memory + GPU; the SSD's hourly cost goes into the note instead.
  bool gcp_include_local_ssd = false;
};

// One input file: its path (for messages and the catalog's source) and its content.
struct InputFile {
  std::string path;
  std::string text;
};

// Reads the files (IoError when one cannot be read; InputError over kMaxPriceFileBytes).
std::vector<InputFile> read_input_files(const std::vector<std::string>& paths);

Catalog import_aws_offer(const std::vector<InputFile>& files, const ImportOptions& options);
Catalog import_azure_retail(const std::vector<InputFile>& files, const ImportOptions& options);
Catalog import_gcp_skus(const std::vector<InputFile>& files, const ImportOptions& options);
Catalog import_skypilot(const std::vector<InputFile>& files, const ImportOptions& options);

// Dispatches on the format. Throws InputError when `files` is empty.
Catalog import_catalog(ImportFormat format, const std::vector<InputFile>& files,
                       const ImportOptions& options);

// The reference region of a provider ("us-east-1", "eastus", "us-central1", "us-east-1" for
// Lambda), or "" for one cirrus does not know.
std::string default_region(std::string_view provider);

namespace detail {

// Shared by the importers; exposed for their tests.

// A decimal number as price files write it ("55.0400000000", "2,048", " 1.5 "), or nullopt.
std::optional<double> parse_decimal(std::string_view text);
// The leading number of a figure with a unit ("2,048 GiB" -> 2048, "Up to 10 Gigabit" -> 10).
std::optional<double> leading_number(std::string_view text);
// "2025-06-01T00:00:00Z" -> "2025-06-01"; "" when the text does not start with a date.
std::string date_part(std::string_view timestamp);
// The files' names joined for a message or a source ("a.json, b.json").
std::string file_names(const std::vector<InputFile>& files);
// The file name without its directories.
std::string base_name(std::string_view path);
// What a JSON document with these top-level keys looks like, for "wrong format" messages: "an
// AWS offer file", "an Azure Retail Prices response", "a GCP SKU list", "a cirrus catalog", or
// "a JSON object with keys a, b, c".
std::string describe_json_keys(const std::vector<std::string>& keys);
// Whether text is well-formed UTF-8 without control characters: names read from CSV files must
// be, or the catalog could not be written as JSON.
bool is_clean_text(std::string_view text);
// Throws InputError at (file, where) unless is_clean_text(text).
void require_clean_text(std::string_view text, const std::string& file, const std::string& where);
// The first few items of a sorted list, for "regions in the file: ..." messages.
std::string preview_list(const std::vector<std::string>& items, std::size_t max_items = 12);
// What a text that is not the JSON an importer wants looks like, for "found ...": "an empty
// file", "CSV text (first line \"InstanceType,...\")", "text starting \"<html>...\"".
std::string describe_text_start(std::string_view text);
// The JSON documents of a price file: one, or several written one after another (API pages
// appended to one file). Throws InputError naming the file for an empty file, text that is
// not JSON (`what` names the format expected) and a truncated or malformed document.
std::vector<nlohmann::json> parse_json_documents(const InputFile& file, const std::string& what);
// Throws InputError naming `files` and the instance when an imported hourly price is above
// kMaxHourlyPrice (a unit or parsing mistake in the file): called by every importer before it
// returns.
void require_plausible_prices(const Catalog& catalog, const std::string& files);
// A value from the file as a message quotes it: at most 60 characters, control and non-ASCII
// bytes as '?' (a binary or megabyte-long cell must not reach the terminal).
std::string quoted(std::string_view text);
// Whether a CSV record has the header's number of fields; throws InputError at the record's
// line otherwise (a ragged row: a truncated file or a malformed line). `fields` == 1 with an
// empty field is a blank line, which callers skip before asking.
void require_field_count(std::size_t fields, std::size_t header_fields, const std::string& file,
                         std::size_t line);

}  // namespace detail

}  // namespace cirrus::pricing
