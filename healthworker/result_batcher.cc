#include "healthworker/result_batcher.h"

namespace lokahi::healthworker {

ResultBatcher::ResultBatcher(store::ResultWriter& writer, BatcherOptions options,
                             TransitionsHandler on_commit, logging::Logger& log)
    : writer_(writer), options_(options), on_commit_(std::move(on_commit)), log_(log) {
  thread_ = std::thread([this] { Loop(); });
}

ResultBatcher::~ResultBatcher() { Stop(std::chrono::seconds(5)); }

void ResultBatcher::Add(std::vector<store::ProbeRecord> records) {
  std::lock_guard lock(mutex_);
  for (auto& r : records) buffer_.push_back(std::move(r));
  while (buffer_.size() > options_.max_buffered) {
    buffer_.pop_front();
    stats_.dropped.fetch_add(1);
  }
  if (buffer_.size() >= options_.max_rows) wake_.notify_one();
}

void ResultBatcher::CountSkipped(long long slots) {
  std::lock_guard lock(mutex_);
  skipped_ += slots;
}

size_t ResultBatcher::Buffered() const {
  std::lock_guard lock(mutex_);
  return buffer_.size();
}

void ResultBatcher::Stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) stop_deadline_ = std::chrono::steady_clock::now() + deadline;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool ResultBatcher::WriteChunk(std::vector<store::ProbeRecord>& chunk, long long skipped) {
  try {
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = writer_.Write(chunk, skipped);
    if (options_.write_seconds) {
      options_.write_seconds->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    if (options_.batch_rows) options_.batch_rows->Observe(static_cast<double>(chunk.size()));
    stats_.written.fetch_add(static_cast<long long>(outcome.results_written));
    stats_.batches.fetch_add(1);
    stats_.last_batch_rows.store(static_cast<long long>(chunk.size()));
    if (!outcome.transitions.empty()) {
      stats_.transitions.fetch_add(static_cast<long long>(outcome.transitions.size()));
      on_commit_(outcome.transitions);
    }
    return true;
  } catch (const std::exception& e) {
    stats_.write_failures.fetch_add(1);
    log_.Error("result_write_failed", {{"rows", static_cast<long long>(chunk.size())},
                                       {"error", e.what()}});
    return false;
  }
}

void ResultBatcher::Loop() {
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    std::vector<store::ProbeRecord> chunk;
    long long skipped = 0;
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.max_delay,
                     [&] { return stopping_ || buffer_.size() >= options_.max_rows; });
      stopping = stopping_;
      if (stopping && (buffer_.empty() && skipped_ == 0)) return;
      if (stopping && std::chrono::steady_clock::now() > stop_deadline_) {
        log_.Error("results_abandoned_at_stop",
                   {{"rows", static_cast<long long>(buffer_.size())}});
        return;
      }
      const size_t take = std::min(buffer_.size(), options_.max_rows);
      chunk.reserve(take);
      for (size_t i = 0; i < take; ++i) {
        chunk.push_back(std::move(buffer_.front()));
        buffer_.pop_front();
      }
      skipped = skipped_;
      skipped_ = 0;
    }
    if (chunk.empty() && skipped == 0) continue;
    if (WriteChunk(chunk, skipped)) {
      backoff = std::chrono::milliseconds(100);
      continue;
    }
    // Put the chunk back in front, in order, and retry after a pause.
    {
      std::lock_guard lock(mutex_);
      for (auto it = chunk.rbegin(); it != chunk.rend(); ++it) buffer_.push_front(std::move(*it));
      skipped_ += skipped;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

}  // namespace lokahi::healthworker
