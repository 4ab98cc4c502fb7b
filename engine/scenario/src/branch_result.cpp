#include "citytwin/scenario/branch_result.hpp"

#include "citytwin/core/byte_buffer.hpp"

namespace citytwin::scenario {

// Ranks of one run are one build on one kind of machine (mpirun starts the same binary), so values
// travel as they lie in memory, like snapshots do.
std::vector<std::uint8_t> encodeBranchResult(const BranchResult& result) {
  ByteWriter out;
  out.put<std::uint8_t>(result.completed ? 1 : 0);
  out.put(result.reachedSeconds);
  out.put<std::uint64_t>(result.kpis.size());
  for (const auto& [model, kpis] : result.kpis) {
    out.putString(model);
    out.put<std::uint64_t>(kpis.size());
    for (const auto& [name, value] : kpis) {
      out.putString(name);
      out.put(value);
    }
  }
  out.put<std::uint64_t>(result.series.size());
  for (const BranchResult::Sample& sample : result.series) {
    out.putString(sample.model);
    out.putString(sample.kpi);
    out.put(sample.tSeconds);
    out.put(sample.value);
  }
  out.put<std::uint64_t>(result.events.size());
  for (const sim::Event& event : result.events) {
    out.put(event.time);
    out.putString(event.source);
    out.putString(event.kind);
    out.putString(event.entity);
    out.putString(event.message);
  }
  out.put<std::uint64_t>(result.files.size());
  for (const OutputFile& file : result.files) {
    out.putString(file.path);
    out.putVector(file.bytes);
  }
  out.putString(result.failure);
  return std::move(out.bytes);
}

BranchResult decodeBranchResult(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "branch result");
  BranchResult result;
  result.completed = in.get<std::uint8_t>() != 0;
  result.reachedSeconds = in.get<double>();
  for (auto models = in.get<std::uint64_t>(); models > 0; --models) {
    sim::Kpis& kpis = result.kpis[in.getString()];
    for (auto count = in.get<std::uint64_t>(); count > 0; --count) {
      std::string name = in.getString();
      kpis[std::move(name)] = in.get<double>();
    }
  }
  for (auto count = in.get<std::uint64_t>(); count > 0; --count) {
    BranchResult::Sample sample;
    sample.model = in.getString();
    sample.kpi = in.getString();
    sample.tSeconds = in.get<double>();
    sample.value = in.get<double>();
    result.series.push_back(std::move(sample));
  }
  for (auto count = in.get<std::uint64_t>(); count > 0; --count) {
    sim::Event event;
    event.time = in.get<sim::SimTime>();
    event.source = in.getString();
    event.kind = in.getString();
    event.entity = in.getString();
    event.message = in.getString();
    result.events.push_back(std::move(event));
  }
  for (auto count = in.get<std::uint64_t>(); count > 0; --count) {
    OutputFile file;
    file.path = in.getString();
    file.bytes = in.getVector<std::uint8_t>();
    result.files.push_back(std::move(file));
  }
  result.failure = in.getString();
  return result;
}

}  // namespace citytwin::scenario
