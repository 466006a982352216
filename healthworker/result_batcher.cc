#include "healthworker/result_batcher.h"

#include <algorithm>

namespace lokahi::healthworker {

ResultBatcher::ResultBatcher(store::ResultWriter& writer, BatcherOptions options,
                             TransitionsHandler on_commit, logging::Logger& log)
    : writer_(writer), options_(options), on_commit_(std::move(on_commit)), log_(log) {
  thread_ = std::thread([this] { Loop(); });
}

ResultBatcher::~ResultBatcher() { Stop(std::chrono::seconds(5)); }

void ResultBatcher::Add(std::vector<store::ProbeRecord> records) {
  const auto now = options_.clock();
  std::lock_guard lock(mutex_);
  for (auto& r : records) buffer_.push_back({std::move(r), now});
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

std::chrono::milliseconds ResultBatcher::BacklogAge() const {
  std::optional<std::chrono::steady_clock::time_point> oldest;
  {
    std::lock_guard lock(mutex_);
    oldest = writing_since_;
    if (!buffer_.empty() && (!oldest || buffer_.front().added < *oldest)) {
      oldest = buffer_.front().added;
    }
  }
  if (!oldest) return std::chrono::milliseconds(0);
  return std::max(
      std::chrono::milliseconds(0),
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.clock() - *oldest));
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

ResultBatcher::WriteResult ResultBatcher::WriteChunk(const std::vector<store::ProbeRecord>& chunk,
                                                     long long skipped) {
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
    if (!outcome.confirmations.empty() && options_.on_confirmations) {
      auto confirmations = outcome.confirmations;
      options_.on_confirmations(std::move(confirmations));
    }
    return WriteResult::kWritten;
  } catch (const store::RowsRejected& e) {
    if (chunk.size() == 1) {
      stats_.rejected.fetch_add(1);
      const std::string& id = chunk.front().check_id;
      log_.Error("result_rejected", {{"check_id", id.size() > 100 ? id.substr(0, 100) + "…" : id},
                                     {"slot_ms", static_cast<long long>(chunk.front().slot_ms)},
                                     {"error", e.what()}});
    }
    return WriteResult::kRejected;
  } catch (const std::exception& e) {
    stats_.write_failures.fetch_add(1);
    log_.Error("result_write_failed",
               {{"rows", static_cast<long long>(chunk.size())}, {"error", e.what()}});
    return WriteResult::kFailed;
  }
}

bool ResultBatcher::WriteSplitting(std::vector<Entry>& chunk, long long& skipped) {
  // Ranges of `chunk` still to write, the next one last. A refused range is halved in place, so
  // rows are still written in the order they came.
  std::vector<std::pair<size_t, size_t>> todo{{0, chunk.size()}};
  if (chunk.empty()) todo.clear();
  while (!todo.empty()) {
    const auto [begin, end] = todo.back();
    std::vector<store::ProbeRecord> part;
    part.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) part.push_back(chunk[i].record);
    switch (WriteChunk(part, skipped)) {
      case WriteResult::kWritten:
        skipped = 0;
        todo.pop_back();
        break;
      case WriteResult::kRejected:
        todo.pop_back();
        if (end - begin > 1) {
          const size_t middle = begin + (end - begin) / 2;
          todo.emplace_back(middle, end);
          todo.emplace_back(begin, middle);
        }  // one row: dropped, counted by WriteChunk
        break;
      case WriteResult::kFailed: {
        // Put what is unwritten back in front, in order, for a retry after a pause.
        std::lock_guard lock(mutex_);
        for (const auto& [b, e] : todo) {  // the last range goes in first: it comes first
          for (size_t i = e; i > b; --i) buffer_.push_front(std::move(chunk[i - 1]));
        }
        skipped_ += skipped;
        skipped = 0;
        return false;
      }
    }
  }
  if (skipped > 0 && WriteChunk({}, skipped) != WriteResult::kWritten) {
    std::lock_guard lock(mutex_);
    skipped_ += skipped;
    skipped = 0;
    return false;
  }
  skipped = 0;
  return true;
}

void ResultBatcher::Loop() {
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    std::vector<Entry> chunk;
    long long skipped = 0;
    {
      std::unique_lock lock(mutex_);
      writing_since_.reset();
      wake_.wait_for(lock, options_.max_delay,
                     [&] { return stopping_ || buffer_.size() >= options_.max_rows; });
      if (stopping_ && (buffer_.empty() && skipped_ == 0)) return;
      if (stopping_ && std::chrono::steady_clock::now() > stop_deadline_) {
        log_.Error("results_abandoned_at_stop", {{"rows", static_cast<long long>(buffer_.size())}});
        return;
      }
      const size_t take = std::min(buffer_.size(), options_.max_rows);
      chunk.reserve(take);
      for (size_t i = 0; i < take; ++i) {
        chunk.push_back(std::move(buffer_.front()));
        buffer_.pop_front();
      }
      if (!chunk.empty()) writing_since_ = chunk.front().added;
      skipped = skipped_;
      skipped_ = 0;
    }
    if (chunk.empty() && skipped == 0) continue;
    if (WriteSplitting(chunk, skipped)) {
      backoff = std::chrono::milliseconds(100);
      continue;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

}  // namespace lokahi::healthworker
