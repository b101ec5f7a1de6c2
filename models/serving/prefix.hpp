#pragma once
// The prompt prefixes requests share, as ids of blocks of their prompts: what automatic prefix
// caching (vLLM's hashed KV blocks, SGLang's radix cache) can reuse between requests.
//
// A request carries ids for the leading blocks of its prompt, each id covering `tokens_per_id`
// tokens; two requests with equal leading ids have equal prompt tokens there. Two sources:
//   - Mooncake's traces: `hash_ids`, one per 512-token block (../shared/reference/formats.md,
//     section (d): "remapped prefix-block hashes, block = 512 tokens; equal leading ids =>
//     shareable prefix KV"), times the trace's length_scale;
//   - synthetic requests with `serving.prefix` {groups G, tokens P}: each request draws one of G
//     shared prefixes of P tokens from its own stream of the seed (its prompt is the prefix and
//     then its drawn input tokens), so one id of P tokens.
//
// The replica's KV cache holds blocks of `block_size` tokens. Its block j (tokens
// [j bs, (j + 1) bs)) can be shared when it is full inside the prompt and inside the ids:
// (j + 1) bs <= min(input, ids x tokens_per_id). Its hash chains every id up to the one holding
// its last token, k = floor(((j + 1) bs - 1) / tokens_per_id), with j itself: equal hashes mean
// equal tokens from the prompt's start to the block's end, as vLLM's chained block hashes do.
// Hashes are 64-bit (SplitMix64's mixer): a collision, about n^2 / 2^65 for n blocks, is
// neglected. Blocks past the ids (the rest of the prompt, the output) are never shared: no hash
// of their tokens is known.
#include <cstdint>
#include <vector>

#include "models/serving/request.hpp"

namespace cirrus::models {

// Mooncake's hash_ids block, in tokens (formats.md, section (d)).
inline constexpr std::int64_t kMooncakeHashBlockTokens = 512;

class PrefixIds {
 public:
  PrefixIds() = default;
  explicit PrefixIds(double tokens_per_id) : tokens_per_id_(tokens_per_id) {}

  // Appends the next request's ids (requests in id order; none is allowed).
  void add(const std::vector<std::uint64_t>& ids) { add(ids.begin(), ids.end()); }
  template <typename It>
  void add(It begin, It end) {
    std::uint64_t h = kChainSeed;
    for (It it = begin; it != end; ++it) {
      h = mix(h ^ mix(static_cast<std::uint64_t>(*it) + 1));
      chain_.push_back(h);
    }
    offset_.push_back(chain_.size());
  }

  bool empty() const { return chain_.empty(); }
  std::size_t requests() const { return offset_.size() - 1; }
  double tokens_per_id() const { return tokens_per_id_; }
  std::size_t ids(std::uint32_t request) const {
    return request + 1 < offset_.size() ? offset_[request + 1] - offset_[request] : 0;
  }

  // Blocks of `block_size` tokens at the start of a prompt of `input` tokens that can be shared
  // (full, inside the prompt and the ids).
  std::int64_t shareable_blocks(std::uint32_t request, std::int64_t input, int block_size) const;
  // The hash of block `block` (< shareable_blocks) of `request`.
  std::uint64_t block_hash(std::uint32_t request, std::int64_t block, int block_size) const;

  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  static constexpr std::uint64_t kChainSeed = 0x9E3779B97F4A7C15ULL;
  double tokens_per_id_ = static_cast<double>(kMooncakeHashBlockTokens);
  std::vector<std::uint64_t> chain_;         // chained hashes of every request's ids
  std::vector<std::uint64_t> offset_ = {0};  // request r's are [offset_[r], offset_[r + 1])
};

// Synthetic shared prefixes (`serving.prefix`).
struct PrefixSpec {
  std::int64_t groups = 0;  // 0: none
  std::int64_t tokens = 0;
};

// Draws each request's group uniformly from stream 4 of `seed` (arrival times and lengths use
// streams 1 to 3, so they stay as they were), prepends the prefix's tokens to its prompt
// (input_len += tokens) and returns the ids: one id of `tokens` tokens per request.
PrefixIds synthetic_prefixes(std::vector<Request>& requests, const PrefixSpec& spec,
                             std::uint64_t seed);

}  // namespace cirrus::models
