#pragma once
// The webhook body: a github.xe.lokahi.CheckStatus built from a claimed transition and its check.
// The one place the webhook path converts domain values to protobuf.

#include <string>

#include "lib/store/pg_status_query.h"
#include "lib/webhook/delivery.h"
#include "lokahi.pb.h"

namespace lokahi::webhook {

github::xe::lokahi::CheckStatus ToCheckStatus(const ClaimedDelivery& delivery,
                                              const store::LatencyHistogram& histogram);

struct EncodedBody {
  std::string bytes;
  std::string content_type;  // also sent as Accept
};

// Protobuf binary (lokahi's format) or the protobuf JSON mapping with proto field names, as the
// check's webhook_format asks.
EncodedBody EncodeCheckStatus(const github::xe::lokahi::CheckStatus& status,
                              checks::WebhookFormat format);

}  // namespace lokahi::webhook
