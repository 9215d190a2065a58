// readShardIndex: parse and validate a safetensors index file.
#include "ShardIndex.h"

#include "ssdc/weights/WeightsError.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace ssdc {

using nlohmann::json;

ShardIndex readShardIndex(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw WeightsError(path + ": cannot open index file");
  std::stringstream ss;
  ss << in.rdbuf();
  json j;
  try {
    j = json::parse(ss.str());
  } catch (const json::exception &e) {
    throw WeightsError(path + ": index is not valid JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("weight_map"))
    throw WeightsError(path + ": index has no \"weight_map\" object");
  const json &wm = j["weight_map"];
  if (!wm.is_object())
    throw WeightsError(path + ": \"weight_map\" is a " +
                       std::string(wm.type_name()) + ", expected an object");
  if (wm.empty())
    throw WeightsError(path + ": \"weight_map\" is empty");
  ShardIndex idx;
  std::set<std::string> shards;
  for (auto it = wm.begin(); it != wm.end(); ++it) {
    if (!it.value().is_string())
      throw WeightsError(path + ": weight_map entry for tensor '" + it.key() +
                         "' is a " + it.value().type_name() +
                         ", expected a shard file name");
    std::string shard = it.value().get<std::string>();
    if (shard.empty() || shard[0] == '/' || shard.find("..") != std::string::npos)
      throw WeightsError(path + ": weight_map puts tensor '" + it.key() +
                         "' in '" + shard +
                         "'; expected a file name next to the index");
    idx.weightMap[it.key()] = shard;
    shards.insert(shard);
  }
  idx.shards.assign(shards.begin(), shards.end());
  return idx;
}

} // namespace ssdc
