// ShardIndex: a sharded checkpoint's *.safetensors.index.json ("weight_map":
// tensor name -> shard file name). Internal to ssdc_weights.
#ifndef SSDC_WEIGHTS_SHARDINDEX_H
#define SSDC_WEIGHTS_SHARDINDEX_H

#include <map>
#include <string>
#include <vector>

namespace ssdc {

struct ShardIndex {
  std::map<std::string, std::string> weightMap; // tensor -> shard file name
  std::vector<std::string> shards;               // distinct shard names, sorted
};

/// Reads and checks the index file (JSON object with an object "weight_map"
/// of strings; shard names are plain relative paths). Throws WeightsError.
ShardIndex readShardIndex(const std::string &path);

} // namespace ssdc

#endif // SSDC_WEIGHTS_SHARDINDEX_H
