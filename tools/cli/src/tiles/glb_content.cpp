#include "tiles/glb_content.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "citytwin/core/error.hpp"

#define TINYGLTF_IMPLEMENTATION
#define TINYGLTF_NO_STB_IMAGE
#define TINYGLTF_NO_STB_IMAGE_WRITE
#define TINYGLTF_NO_EXTERNAL_IMAGE
#include <tiny_gltf.h>

namespace citytwin::cli::tiles {
namespace {

constexpr int kArrayBuffer = 34962;
constexpr int kElementArrayBuffer = 34963;

// tinygltf keeps extensions as its own Value tree.
tinygltf::Value toValue(const nlohmann::json& json) {
  if (json.is_object()) {
    tinygltf::Value::Object object;
    for (const auto& [key, value] : json.items()) object[key] = toValue(value);
    return tinygltf::Value(std::move(object));
  }
  if (json.is_array()) {
    tinygltf::Value::Array array;
    for (const auto& value : json) array.push_back(toValue(value));
    return tinygltf::Value(std::move(array));
  }
  if (json.is_boolean()) return tinygltf::Value(json.get<bool>());
  if (json.is_number_integer()) return tinygltf::Value(json.get<int>());
  if (json.is_number()) return tinygltf::Value(json.get<double>());
  return tinygltf::Value(json.get<std::string>());
}

class BinaryChunk {
 public:
  // Appends bytes 8-aligned (as EXT_structural_metadata wants its buffer views) and returns the view's index.
  int addView(tinygltf::Model& model, const void* data, std::size_t bytes, int target) {
    while (bytes_.size() % 8 != 0) bytes_.push_back(0);
    tinygltf::BufferView view;
    view.buffer = 0;
    view.byteOffset = bytes_.size();
    view.byteLength = bytes;
    view.target = target;
    const auto* begin = static_cast<const unsigned char*>(data);
    bytes_.insert(bytes_.end(), begin, begin + bytes);
    model.bufferViews.push_back(view);
    return static_cast<int>(model.bufferViews.size() - 1);
  }
  std::vector<unsigned char> take() {
    while (bytes_.size() % 8 != 0) bytes_.push_back(0);
    return std::move(bytes_);
  }

 private:
  std::vector<unsigned char> bytes_;
};

int addAccessor(tinygltf::Model& model, int view, int componentType, std::size_t count, int type) {
  tinygltf::Accessor accessor;
  accessor.bufferView = view;
  accessor.componentType = componentType;
  accessor.count = count;
  accessor.type = type;
  model.accessors.push_back(accessor);
  return static_cast<int>(model.accessors.size() - 1);
}

// A STRING property: the UTF-8 bytes of all values and their UINT32 offsets.
nlohmann::json addStrings(tinygltf::Model& model, BinaryChunk& chunk,
                          const std::vector<std::string>& values) {
  std::string bytes;
  std::vector<std::uint32_t> offsets{0};
  for (const auto& value : values) {
    bytes += value;
    offsets.push_back(static_cast<std::uint32_t>(bytes.size()));
  }
  const int valuesView = chunk.addView(model, bytes.data(), bytes.size(), 0);
  const int offsetsView = chunk.addView(model, offsets.data(), offsets.size() * sizeof(std::uint32_t), 0);
  return {{"values", valuesView}, {"stringOffsets", offsetsView}, {"stringOffsetType", "UINT32"}};
}

}  // namespace

std::string encodeGlb(const TileMesh& mesh, const FeatureTable* features,
                      const std::array<double, 4>& colour) {
  tinygltf::Model model;
  model.asset.version = "2.0";
  model.asset.generator = "citytwin export 3dtiles";
  BinaryChunk chunk;
  const std::size_t vertices = mesh.vertexCount();

  tinygltf::Primitive primitive;
  primitive.mode = TINYGLTF_MODE_TRIANGLES;
  const int positionAccessor = addAccessor(
      model, chunk.addView(model, mesh.positions.data(), mesh.positions.size() * sizeof(float), kArrayBuffer),
      TINYGLTF_COMPONENT_TYPE_FLOAT, vertices, TINYGLTF_TYPE_VEC3);
  std::vector<double> minimum(3, std::numeric_limits<double>::infinity());
  std::vector<double> maximum(3, -std::numeric_limits<double>::infinity());
  for (std::size_t v = 0; v < vertices; ++v) {
    for (std::size_t axis = 0; axis < 3; ++axis) {
      minimum[axis] = std::min(minimum[axis], static_cast<double>(mesh.positions[3 * v + axis]));
      maximum[axis] = std::max(maximum[axis], static_cast<double>(mesh.positions[3 * v + axis]));
    }
  }
  model.accessors[positionAccessor].minValues = minimum;
  model.accessors[positionAccessor].maxValues = maximum;
  primitive.attributes["POSITION"] = positionAccessor;
  primitive.attributes["NORMAL"] = addAccessor(
      model, chunk.addView(model, mesh.normals.data(), mesh.normals.size() * sizeof(float), kArrayBuffer),
      TINYGLTF_COMPONENT_TYPE_FLOAT, vertices, TINYGLTF_TYPE_VEC3);
  primitive.indices =
      addAccessor(model,
                  chunk.addView(model, mesh.indices.data(), mesh.indices.size() * sizeof(std::uint32_t),
                                kElementArrayBuffer),
                  TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT, mesh.indices.size(), TINYGLTF_TYPE_SCALAR);

  if (features) {
    const std::size_t count = features->ids.size();
    if (mesh.featureIds.size() != vertices || features->uses.size() != count) {
      throw Error("3D Tiles export: feature ids and property table do not match the mesh");
    }
    primitive.attributes["_FEATURE_ID_0"] = addAccessor(
        model,
        chunk.addView(model, mesh.featureIds.data(), mesh.featureIds.size() * sizeof(float), kArrayBuffer),
        TINYGLTF_COMPONENT_TYPE_FLOAT, vertices, TINYGLTF_TYPE_SCALAR);
    primitive.extensions["EXT_mesh_features"] = toValue(
        {{"featureIds",
          nlohmann::json::array({{{"featureCount", count}, {"attribute", 0}, {"propertyTable", 0}}})}});

    nlohmann::json classProperties{
        {"id", {{"type", "STRING"}, {"description", "the building's id in the city"}, {"required", true}}},
        {"use", {{"type", "STRING"}, {"description", "what the building is used for"}, {"required", true}}}};
    nlohmann::json tableProperties{{"id", addStrings(model, chunk, features->ids)},
                                   {"use", addStrings(model, chunk, features->uses)}};
    for (const auto& number : features->numbers) {
      if (number.values.size() != count)
        throw Error("3D Tiles export: property " + number.name + " is short");
      std::vector<float> values = number.values;
      bool missing = false;
      for (float& value : values) {
        if (std::isnan(value)) {
          value = kNoData;
          missing = true;
        }
      }
      nlohmann::json definition{
          {"type", "SCALAR"}, {"componentType", "FLOAT32"}, {"description", number.meaning}};
      if (missing) definition["noData"] = kNoData;
      classProperties[number.name] = definition;
      tableProperties[number.name] = {
          {"values", chunk.addView(model, values.data(), values.size() * sizeof(float), 0)}};
    }
    model.extensions["EXT_structural_metadata"] = toValue(
        {{"schema", {{"id", "citytwin"}, {"classes", {{"building", {{"properties", classProperties}}}}}}},
         {"propertyTables",
          nlohmann::json::array(
              {{{"class", "building"}, {"count", count}, {"properties", tableProperties}}})}});
    model.extensionsUsed = {"EXT_mesh_features", "EXT_structural_metadata"};
  }
  tinygltf::Material material;
  material.pbrMetallicRoughness.baseColorFactor = {colour[0], colour[1], colour[2], colour[3]};
  material.pbrMetallicRoughness.metallicFactor = 0.0;
  material.pbrMetallicRoughness.roughnessFactor = 1.0;
  model.materials.push_back(material);
  primitive.material = 0;

  tinygltf::Mesh gltfMesh;
  gltfMesh.primitives.push_back(primitive);
  model.meshes.push_back(gltfMesh);
  tinygltf::Node node;
  node.mesh = 0;
  model.nodes.push_back(node);
  tinygltf::Scene scene;
  scene.nodes.push_back(0);
  model.scenes.push_back(scene);
  model.defaultScene = 0;

  tinygltf::Buffer buffer;
  buffer.data = chunk.take();
  model.buffers.push_back(std::move(buffer));

  std::ostringstream out;
  tinygltf::TinyGLTF writer;
  if (!writer.WriteGltfSceneToStream(&model, out, false, true))
    throw Error("3D Tiles export: writing a GLB failed");
  return out.str();
}

}  // namespace citytwin::cli::tiles
