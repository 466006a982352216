#include "lib/webhook/notification_body.h"

#include <google/protobuf/util/json_util.h>

#include <stdexcept>

namespace lokahi::webhook {

EncodedBody EncodeNotificationBody(const google::protobuf::Message& message,
                                   checks::WebhookFormat format) {
  EncodedBody body;
  if (format == checks::WebhookFormat::kJson) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    // Receivers reading JSON see every field, including zero states such as INIT or PENDING.
    options.always_print_primitive_fields = true;
    const auto result = google::protobuf::util::MessageToJsonString(message, &body.bytes, options);
    if (!result.ok()) {
      throw std::runtime_error("encoding " + message.GetTypeName() +
                               " as JSON: " + result.ToString());
    }
    body.content_type = "application/json";
    return body;
  }
  if (!message.SerializeToString(&body.bytes)) {
    throw std::runtime_error("encoding " + message.GetTypeName() + " as protobuf failed");
  }
  body.content_type = "application/protobuf";
  return body;
}

}  // namespace lokahi::webhook
