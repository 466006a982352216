#include "lib/metrics/registry.h"

#include <limits>
#include <stdexcept>
#include <variant>

#include "lib/metrics/exposition.h"

namespace lokahi::metrics {

struct Registry::Series {
  std::string label_text;  // `a="x",b="y"` (no braces), empty without labels
  std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>,
               ValueReader>
      value;
};

struct Registry::Family {
  std::string name;
  std::string help;
  Type type;
  std::vector<std::string> label_names;
  std::vector<std::unique_ptr<Series>> series;
};

namespace {

std::string LabelText(const Labels& labels) {
  std::string text;
  for (const auto& [name, value] : labels) {
    if (!text.empty()) text += ',';
    text += name;
    text += "=\"";
    text += EscapeLabelValue(value);
    text += '"';
  }
  return text;
}

// `name{labels,extra}` with the braces left out when there is nothing inside.
std::string SampleName(std::string_view name, const std::string& label_text,
                       const std::string& extra_label = {}) {
  std::string out(name);
  if (label_text.empty() && extra_label.empty()) return out;
  out += '{';
  out += label_text;
  if (!label_text.empty() && !extra_label.empty()) out += ',';
  out += extra_label;
  out += '}';
  return out;
}

void AppendSample(std::string& out, const std::string& sample_name, const std::string& value) {
  out += sample_name;
  out += ' ';
  out += value;
  out += '\n';
}

double ReadOrNaN(const ValueReader& read) {
  try {
    return read();
  } catch (const std::exception&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace

Registry::Registry() = default;

std::string Registry::TypeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}
Registry::~Registry() = default;

template <typename Value>
void Registry::AddSeries(std::string_view name, std::string_view help, Type type,
                         const Labels& labels, Value value) {
  const std::string family_name(name);
  if (!IsValidMetricName(name)) {
    throw std::invalid_argument("metric name '" + family_name +
                                "' is not valid: use [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
  std::vector<std::string> label_names;
  for (const auto& [label, value] : labels) {
    if (!IsValidLabelName(label) || (type == Type::kHistogram && label == "le")) {
      throw std::invalid_argument("metric " + family_name + ": label name '" + label +
                                  "' is not valid (use [a-zA-Z_][a-zA-Z0-9_]*, not __*, and not "
                                  "'le' on a histogram)");
    }
    for (const auto& seen : label_names) {
      if (seen == label) {
        throw std::invalid_argument("metric " + family_name + ": label '" + label +
                                    "' given twice");
      }
    }
    label_names.push_back(label);
  }

  std::lock_guard lock(mutex_);
  Family* family = nullptr;
  for (auto& candidate : families_) {
    if (candidate->name == name) family = candidate.get();
  }
  if (!family) {
    families_.push_back(
        std::make_unique<Family>(Family{family_name, std::string(help), type, label_names, {}}));
    family = families_.back().get();
  } else if (family->type != type || family->help != help || family->label_names != label_names) {
    throw std::invalid_argument("metric " + family_name +
                                " is already registered with another type, help text or set of "
                                "label names; every series of one name must agree");
  }
  const std::string label_text = LabelText(labels);
  for (const auto& existing : family->series) {
    if (existing->label_text == label_text) {
      throw std::invalid_argument("metric " + SampleName(family_name, label_text) +
                                  " is already registered; keep the reference from the first call");
    }
  }
  family->series.push_back(std::make_unique<Series>(Series{label_text, std::move(value)}));
}

Counter& Registry::AddCounter(std::string_view name, std::string_view help, const Labels& labels) {
  auto counter = std::make_unique<Counter>();
  Counter& result = *counter;
  AddSeries(name, help, Type::kCounter, labels, std::move(counter));
  return result;
}

Gauge& Registry::AddGauge(std::string_view name, std::string_view help, const Labels& labels) {
  auto gauge = std::make_unique<Gauge>();
  Gauge& result = *gauge;
  AddSeries(name, help, Type::kGauge, labels, std::move(gauge));
  return result;
}

Histogram& Registry::AddHistogram(std::string_view name, std::string_view help,
                                  std::vector<double> upper_bounds, const Labels& labels) {
  auto histogram = std::make_unique<Histogram>(std::move(upper_bounds));
  Histogram& result = *histogram;
  AddSeries(name, help, Type::kHistogram, labels, std::move(histogram));
  return result;
}

void Registry::AddComputedGauge(std::string_view name, std::string_view help, ValueReader read,
                                const Labels& labels) {
  if (!read) throw std::invalid_argument("computed gauge " + std::string(name) + " has no reader");
  AddSeries(name, help, Type::kGauge, labels, std::move(read));
}

void Registry::AddComputedCounter(std::string_view name, std::string_view help, ValueReader read,
                                  const Labels& labels) {
  if (!read)
    throw std::invalid_argument("computed counter " + std::string(name) + " has no reader");
  AddSeries(name, help, Type::kCounter, labels, std::move(read));
}

std::string Registry::Render() const {
  std::string out;
  // Scrapes are rare next to updates; holding the lock keeps series vectors stable while read.
  std::lock_guard lock(mutex_);
  for (const auto& family : families_) {
    out += "# HELP " + family->name + " " + EscapeHelp(family->help) + "\n";
    out += "# TYPE " + family->name + " " + TypeName(family->type) + "\n";
    for (const auto& series : family->series) {
      const std::string& labels = series->label_text;
      if (const auto* counter = std::get_if<std::unique_ptr<Counter>>(&series->value)) {
        AppendSample(out, SampleName(family->name, labels), std::to_string((*counter)->Value()));
      } else if (const auto* gauge = std::get_if<std::unique_ptr<Gauge>>(&series->value)) {
        AppendSample(out, SampleName(family->name, labels), FormatSampleValue((*gauge)->Value()));
      } else if (const auto* read = std::get_if<ValueReader>(&series->value)) {
        AppendSample(out, SampleName(family->name, labels), FormatSampleValue(ReadOrNaN(*read)));
      } else if (const auto* histogram = std::get_if<std::unique_ptr<Histogram>>(&series->value)) {
        const auto snapshot = (*histogram)->Read();
        const std::string bucket_name = family->name + "_bucket";
        for (size_t i = 0; i < snapshot.cumulative.size(); ++i) {
          const std::string le = i < snapshot.upper_bounds.size()
                                     ? FormatSampleValue(snapshot.upper_bounds[i])
                                     : std::string("+Inf");
          AppendSample(out, SampleName(bucket_name, labels, "le=\"" + le + "\""),
                       std::to_string(snapshot.cumulative[i]));
        }
        AppendSample(out, SampleName(family->name + "_sum", labels),
                     FormatSampleValue(snapshot.sum));
        AppendSample(out, SampleName(family->name + "_count", labels),
                     std::to_string(snapshot.count));
      }
    }
  }
  return out;
}

}  // namespace lokahi::metrics
