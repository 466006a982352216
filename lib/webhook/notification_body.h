#pragma once
// Encodes any protobuf message as a webhook body, as checks' webhook_format asks: protobuf binary,
// or the protobuf JSON mapping with proto field names and every field printed (zero states
// included). CheckStatus bodies and the notifications outbox's (AlertStatus, other notices) use it.

#include <google/protobuf/message.h>

#include <string>

#include "lib/checks/check.h"

namespace lokahi::webhook {

struct EncodedBody {
  std::string bytes;
  std::string content_type;  // "application/protobuf" or "application/json"; also sent as Accept
};

// Throws std::runtime_error when the message cannot be encoded.
EncodedBody EncodeNotificationBody(const google::protobuf::Message& message,
                                   checks::WebhookFormat format);

}  // namespace lokahi::webhook
