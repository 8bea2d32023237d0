#define PART_VALUE 2
