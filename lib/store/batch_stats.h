#pragma once
// What one batch of results adds to the pipeline's statistics (runstats): counts, latency moments
// and log-bucket histograms of latency and scheduling lag. Written as one row per batch in the
// batch's own transaction, so runstats over an hour at 600,000 probes a minute reads a few
// thousand rows instead of 36 million results.

#include <cstdint>
#include <pqxx/pqxx>
#include <vector>

#include "lib/store/log_buckets.h"
#include "lib/store/result_writer.h"

namespace lokahi::store {

struct BatchStats {
  int64_t probes = 0;
  int64_t answered = 0;  // probes with an HTTP answer: the latency figures cover these
  int64_t latency_min_ns = 0;
  int64_t latency_max_ns = 0;
  double latency_sum_ns = 0;
  double latency_sum_squares = 0;  // ns²
  LogBuckets latency_us;           // answered probes
  LogBuckets lag_us;               // scheduled probes: start minus due
};

BatchStats SummariseBatch(const std::vector<ProbeRecord>& batch);

// One row into result_batch_stats; nothing for an empty batch.
void InsertBatchStats(pqxx::work& txn, const BatchStats& stats);

}  // namespace lokahi::store
