// aliasCandidates: the alias rules of REFERENCE.md, in one place.
#include "NameAliases.h"

#include <algorithm>

namespace ssdc {

static bool startsWith(const std::string &s, const std::string &p) {
  return s.compare(0, p.size(), p) == 0;
}

std::vector<std::string> aliasCandidates(const std::string &name) {
  std::vector<std::string> bases = {name};
  const std::string emb = "backbone.embeddings.";
  if (startsWith(name, emb)) // mamba_ssm
    bases.push_back("backbone.embedding." + name.substr(emb.size()));

  std::vector<std::string> out = bases;
  for (const std::string &b : bases) { // Codestral
    out.push_back("model." + b);
    const std::string bb = "backbone.";
    if (startsWith(b, bb))
      out.push_back("model." + b.substr(bb.size()));
  }
  std::vector<std::string> unique;
  for (const std::string &c : out)
    if (std::find(unique.begin(), unique.end(), c) == unique.end())
      unique.push_back(c);
  return unique;
}

} // namespace ssdc
