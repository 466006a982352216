#pragma once
// The one place lokahid converts between protobuf messages and the domain model.

#include <optional>
#include <string>

#include "internal.pb.h"
#include "lib/checks/check.h"
#include "lib/store/pg_status_query.h"
#include "lokahi.pb.h"
#include "lokahiadmin.pb.h"
#include "lokahid/pipeline_queries.h"

namespace lokahi::lokahid {

checks::CheckOptions OptionsFromCreate(const github::xe::lokahi::CreateOpts& opts);
// Applies a Put request to a check's current options. Without an update_mask (or with one
// naming no paths: lokahi's behaviour) fields left empty or zero keep their value. With one
// (AIP-134) exactly the fields it names are replaced, zero values included; "*" names them all.
// A path naming no field Put can change is a problem naming it and the valid paths; `options`
// is then unchanged. Validation is the caller's, after ApplyDefaults.
std::optional<std::string> ApplyPut(const github::xe::lokahi::Check& request,
                                    checks::CheckOptions& options);
// Never returns header values or the webhook secret, only their fingerprints.
github::xe::lokahi::Check CheckToProto(const checks::Check& check);
// Sets a spec's request fields (20-39) from `options`; the rest is the caller's. A plain GET
// sets nothing, so its spec stays as small as lokahi's.
void ProbeSpecFromOptions(const checks::CheckOptions& options, lokahi::internal::CheckSpec* spec);
void SetTimestamp(google::protobuf::Timestamp* out, checks::Timestamp t);
void SetTimestampMicros(google::protobuf::Timestamp* out, int64_t unix_us);
void HistogramToProto(const store::LatencyHistogram& in, github::xe::lokahi::HistogramData* out);
void LastProbeToProto(const LastProbe& in, github::xe::lokahi::CheckStatus* out);
void ProbeOutcomeToProto(const lokahi::internal::ProbeOutcome& in,
                         github::xe::lokahi::CheckStatus* out);
void PipelineStatsToProto(const PipelineStats& in, github::xe::lokahi::PipelineStats* out);
void DeliveryToProto(const DeliveryRow& in, github::xe::lokahi::Delivery* out);
// lokahi's admin messages (RunLocal): one probe's Health; latency in int64 nanoseconds.
void RunLocalHealthToProto(const checks::Check& check, const lokahi::internal::ProbeOutcome& in,
                           github::xe::lokahi::admin::Health* out);
void RunLocalStatsToProto(const store::LatencyHistogram& in,
                          github::xe::lokahi::admin::HistogramData* out);

}  // namespace lokahi::lokahid
