// TEE_InitRefAttribute / TEE_InitValueAttribute: they only fill in a
// TEE_Attribute the TA owns, so they work before the storage and crypto APIs
// that consume attributes exist. Bit 29 of the attribute ID
// (TEE_ATTR_FLAG_VALUE) says which kind an ID is; using the wrong function
// for an ID panics the TA, as the specification requires.
#include "tee_internal_api.h"

extern "C" {

void TEE_InitRefAttribute(TEE_Attribute *attr, uint32_t attributeID, const void *buffer,
                          size_t length) {
  if (attr == nullptr || (attributeID & TEE_ATTR_FLAG_VALUE) != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  attr->attributeID = attributeID;
  // The API stores the caller's pointer without const, as GP defines it.
  attr->content.ref.buffer = const_cast<void *>(buffer);
  attr->content.ref.length = length;
}

void TEE_InitValueAttribute(TEE_Attribute *attr, uint32_t attributeID, uint32_t a, uint32_t b) {
  if (attr == nullptr || (attributeID & TEE_ATTR_FLAG_VALUE) == 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  attr->attributeID = attributeID;
  attr->content.value.a = a;
  attr->content.value.b = b;
}

}  // extern "C"
