#pragma once
// The one place lokahid converts between protobuf messages and the domain model.

#include "internal.pb.h"
#include "lib/checks/check.h"
#include "lib/store/pg_status_query.h"
#include "lokahid/pipeline_queries.h"
#include "lokahi.pb.h"

namespace lokahi::lokahid {

checks::CheckOptions OptionsFromCreate(const github::xe::lokahi::CreateOpts& opts);
// Put semantics: fields left empty or zero keep the current value.
checks::CheckOptions MergeOptions(const checks::CheckOptions& current,
                                  const github::xe::lokahi::Check& patch);
github::xe::lokahi::Check CheckToProto(const checks::Check& check);
void SetTimestamp(google::protobuf::Timestamp* out, checks::Timestamp t);
void SetTimestampMicros(google::protobuf::Timestamp* out, int64_t unix_us);
void HistogramToProto(const store::LatencyHistogram& in, github::xe::lokahi::HistogramData* out);
void LastProbeToProto(const LastProbe& in, github::xe::lokahi::CheckStatus* out);
void ProbeOutcomeToProto(const lokahi::internal::ProbeOutcome& in,
                         github::xe::lokahi::CheckStatus* out);
void PipelineStatsToProto(const PipelineStats& in, github::xe::lokahi::PipelineStats* out);
void DeliveryToProto(const DeliveryRow& in, github::xe::lokahi::Delivery* out);

}  // namespace lokahi::lokahid
