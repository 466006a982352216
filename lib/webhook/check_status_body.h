#pragma once
// The webhook body: a github.xe.lokahi.CheckStatus built from a claimed transition and its check.
// The one place the webhook path converts domain values to protobuf.

#include <string>

#include "lib/store/pg_status_query.h"
#include "lib/webhook/delivery.h"
#include "lib/webhook/notification_body.h"
#include "lokahi.pb.h"

namespace lokahi::webhook {

// Every field is the check's true value at the transition, or unset: the histogram and uptime as
// the Status RPC computes them (the caller queries them fresh), last_probe the probe that made the
// transition. URLs lose their userinfo.
github::xe::lokahi::CheckStatus ToCheckStatus(const ClaimedDelivery& delivery,
                                              const store::LatencyHistogram& histogram,
                                              const store::UptimeRatios& uptime);

// The uptime ratios and their probe counts; a ratio over no probes stays unset (unknown, not 0).
// Shared by webhook bodies and the Status API so both say the same.
void SetUptime(const store::UptimeRatios& uptime, github::xe::lokahi::CheckStatus* status);

// How the check's probe asks, as the Status API and webhook bodies both show it: header values
// only as fingerprints, never themselves.
void SetRequestOptions(const checks::CheckOptions& options, github::xe::lokahi::Check* out);

// Protobuf binary (lokahi's format) or the protobuf JSON mapping with proto field names, as the
// check's webhook_format asks.
EncodedBody EncodeCheckStatus(const github::xe::lokahi::CheckStatus& status,
                              checks::WebhookFormat format);

}  // namespace lokahi::webhook
