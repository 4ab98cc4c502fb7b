#include "citytwin/io/vector_table.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <memory>

#include "citytwin/core/error.hpp"
#include "gdal_session.hpp"

namespace citytwin::io {

VectorTable readVectorTable(const std::filesystem::path& path, const std::string& layerName) {
  ensureGdalRegistered();
  if (!std::filesystem::exists(path)) throw Error(path.string() + ": file does not exist");
  GdalErrorCapture errors;
  std::unique_ptr<GDALDataset> dataset(
      GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
  if (!dataset) {
    throw Error(path.string() + ": not a vector file GDAL can open" +
                (errors.hasFailures() ? ": " + errors.failureText() : ""));
  }
  OGRLayer* layer = dataset->GetLayerByName(layerName.c_str());
  if (layer == nullptr) {
    std::string names;
    for (int i = 0; i < dataset->GetLayerCount(); ++i)
      names += (names.empty() ? "" : ", ") + std::string(dataset->GetLayer(i)->GetName());
    throw Error(path.string() + ": no layer '" + layerName + "' (layers: " + names + ")");
  }
  VectorTable table;
  OGRFeatureDefn* definition = layer->GetLayerDefn();
  for (int f = 0; f < definition->GetFieldCount(); ++f) {
    const OGRFieldDefn* field = definition->GetFieldDefn(f);
    VectorColumn column;
    column.name = field->GetNameRef();
    const OGRFieldType type = field->GetType();
    column.kind = (type == OFTInteger || type == OFTInteger64) ? VectorColumn::Kind::Integer
                  : type == OFTReal                            ? VectorColumn::Kind::Real
                                                               : VectorColumn::Kind::Text;
    table.columns.push_back(std::move(column));
  }
  layer->ResetReading();
  for (auto& feature : *layer) {
    for (std::size_t f = 0; f < table.columns.size(); ++f) {
      VectorColumn& column = table.columns[f];
      const int index = static_cast<int>(f);
      const bool isNull = !feature->IsFieldSetAndNotNull(index);
      column.null.push_back(isNull ? 1 : 0);
      switch (column.kind) {
        case VectorColumn::Kind::Integer:
          column.integers.push_back(isNull ? 0 : feature->GetFieldAsInteger64(index));
          break;
        case VectorColumn::Kind::Real:
          column.reals.push_back(isNull ? 0.0 : feature->GetFieldAsDouble(index));
          break;
        case VectorColumn::Kind::Text:
          column.texts.push_back(isNull ? std::string() : std::string(feature->GetFieldAsString(index)));
          break;
      }
    }
    std::string wkt;
    if (const OGRGeometry* geometry = feature->GetGeometryRef()) wkt = geometry->exportToWkt();
    table.geometryWkt.push_back(std::move(wkt));
  }
  return table;
}

}  // namespace citytwin::io
