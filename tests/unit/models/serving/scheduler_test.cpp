// The replica scheduler step by step, against vLLM V1's rules (scheduler.hpp): chunked prefill
// within the token budget, max_num_seqs, KV blocks, and preemption of the youngest by recompute.
#include <catch2/catch.hpp>

#include "models/serving/scheduler.hpp"

using namespace cirrus;
using namespace cirrus::models;

namespace {

std::vector<SeqState> states(std::initializer_list<std::pair<int, int>> lengths) {
  std::vector<SeqState> out;
  for (const auto& [in, o] : lengths) {
    SeqState s;
    s.input = in;
    s.output = o;
    out.push_back(s);
  }
  return out;
}

sim::Time at(int ms) { return sim::Time::ps(std::int64_t{ms} * 1'000'000'000); }

}  // namespace

TEST_CASE("chunked prefill splits a prompt over iterations by the token budget", "[serving]") {
  SchedulerConfig c;
  c.max_num_batched_tokens = 100;
  auto st = states({{250, 3}});
  ReplicaScheduler s(c, 1000, st);
  s.enqueue(0);
  std::vector<std::uint32_t> done;
  // 250 = 100 + 100 + 50: the first token comes with the third chunk.
  for (int i = 0; i < 2; ++i) {
    const BatchWork& w = s.schedule(at(i));
    CHECK(w.tokens == 100);
    CHECK(w.prefill_tokens == 100);
    REQUIRE(w.chunks.size() == 1);
    CHECK(w.chunks[0].cached == std::int64_t{100} * i);
    s.complete(at(i + 1), done);
    CHECK(st[0].first_token == sim::Time::max());
  }
  CHECK(s.schedule(at(2)).tokens == 50);
  s.complete(at(3), done);
  CHECK(st[0].first_token == at(3));
  CHECK(st[0].first_scheduled == at(0));
  // Two decodes of one token each, then it finishes and frees its blocks.
  for (int i = 3; i < 5; ++i) {
    const BatchWork& w = s.schedule(at(i));
    CHECK(w.single == 1);
    CHECK(w.single_cached == 250 + (i - 3));
    CHECK(w.prefill_tokens == 0);
    s.complete(at(i + 1), done);
  }
  CHECK(done == std::vector<std::uint32_t>{0});
  CHECK(st[0].finish == at(5));
  CHECK(s.used_blocks() == 0);
  CHECK(s.peak_used_blocks() == 16);  // ceil((250 + 3 - 1) / 16): the last token is never cached
  CHECK_FALSE(s.has_work());
}

TEST_CASE("decodes come first, then waiting prompts FCFS up to max_num_seqs", "[serving]") {
  SchedulerConfig c;
  c.max_num_seqs = 2;
  c.max_num_batched_tokens = 1000;
  auto st = states({{10, 5}, {20, 5}, {30, 5}});
  ReplicaScheduler s(c, 1000, st);
  for (std::uint32_t r = 0; r < 3; ++r) s.enqueue(r);
  std::vector<std::uint32_t> done;
  const BatchWork& w = s.schedule(at(0));
  CHECK(w.seqs == 2);
  CHECK(w.tokens == 30);
  s.complete(at(1), done);
  CHECK(st[2].first_scheduled == sim::Time::max());  // the third waits for a slot
  CHECK(s.schedule(at(1)).tokens == 2);
}

TEST_CASE("without chunked prefill a prompt waits for a budget it fits whole", "[serving]") {
  SchedulerConfig c;
  c.chunked_prefill = false;
  c.max_num_batched_tokens = 100;
  auto st = states({{60, 2}, {60, 2}});
  ReplicaScheduler s(c, 1000, st);
  s.enqueue(0);
  s.enqueue(1);
  std::vector<std::uint32_t> done;
  CHECK(s.schedule(at(0)).tokens == 60);  // 60 + 60 > 100: the second waits whole
  s.complete(at(1), done);
  CHECK(s.schedule(at(1)).tokens == 61);  // one decode and the second prompt
}

TEST_CASE("out of blocks, the youngest running sequence is preempted by recompute", "[serving]") {
  SchedulerConfig c;
  c.block_size = 4;
  c.max_num_batched_tokens = 100;
  // Two 4-token prompts fill 2 of 3 blocks; the first decode needs a third block, the second
  // decode a fourth: the younger (request 1) is preempted, freed and put back at the front.
  auto st = states({{4, 4}, {4, 4}});
  ReplicaScheduler s(c, 3, st);
  s.enqueue(0);
  s.enqueue(1);
  std::vector<std::uint32_t> done;
  CHECK(s.schedule(at(0)).tokens == 8);
  s.complete(at(1), done);
  CHECK(s.used_blocks() == 2);
  // Iteration 2: request 0's decode takes block 3 (its 5th token), request 1's needs a 4th.
  const BatchWork& w = s.schedule(at(1));
  CHECK(w.seqs == 1);
  CHECK(s.preemptions() == 1);
  CHECK(st[1].computed == 0);
  CHECK(st[1].blocks == 0);
  CHECK(st[1].generated == 1);  // its first token stays generated; recompute re-reads it
  s.complete(at(2), done);
  // Request 1 must re-prefill 4 + 1 tokens into 2 blocks while 1 is free: it waits until
  // request 0 finishes (its 4th token at the end of iteration 4) and frees its blocks.
  CHECK(s.schedule(at(2)).seqs == 1);
  s.complete(at(3), done);
  CHECK(s.schedule(at(3)).seqs == 1);
  s.complete(at(4), done);
  CHECK(done == std::vector<std::uint32_t>{0});
  const BatchWork& w2 = s.schedule(at(4));
  CHECK(w2.tokens == 5);
  CHECK(w2.prefill_tokens == 5);
  REQUIRE(w2.chunks.size() == 1);
  CHECK(w2.chunks[0].cached == 0);
  s.complete(at(5), done);
  for (int t = 5; s.has_work(); ++t) {
    s.schedule(at(t));
    s.complete(at(t + 1), done);
  }
  CHECK(done == std::vector<std::uint32_t>{0, 1});
  CHECK(st[1].generated == 4);
  CHECK(st[1].preemptions == 1);
  CHECK(st[1].first_token == at(1));  // the first token's time is kept
}
