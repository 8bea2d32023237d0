// The STM32MP15's peripheral map as its Cortex-M4 sees it. Facts from RM0436
// ("Memory map") and the CMSIS device header stm32mp157cxx_cm4.h; each entry
// is one 4 KiB register page unless the bus gives the block more.
#include <algorithm>

#include "captee/platform/description.hpp"

namespace captee::platform {

namespace {

constexpr uint32_t k4K = 0x1000;

struct Block {
  const char *name;
  uint32_t base;
  uint32_t size;
  PeripheralModel model = PeripheralModel::kNone;
  uint32_t port = 0;
};

// Kept in address order; stm32mp15_peripherals() sorts anyway.
constexpr Block kBlocks[] = {
    // APB1
    {"TIM2", 0x40000000, k4K, PeripheralModel::kTim2},
    {"TIM3", 0x40001000, k4K},
    {"TIM4", 0x40002000, k4K},
    {"TIM5", 0x40003000, k4K},
    {"TIM6", 0x40004000, k4K},
    {"TIM7", 0x40005000, k4K},
    {"TIM12", 0x40006000, k4K},
    {"TIM13", 0x40007000, k4K},
    {"TIM14", 0x40008000, k4K},
    {"LPTIM1", 0x40009000, k4K},
    {"WWDG1", 0x4000A000, k4K},
    {"SPI2", 0x4000B000, k4K},
    {"SPI3", 0x4000C000, k4K},
    {"SPDIFRX", 0x4000D000, k4K},
    {"USART2", 0x4000E000, k4K},
    {"USART3", 0x4000F000, k4K, PeripheralModel::kUsart3},
    {"UART4", 0x40010000, k4K},
    {"UART5", 0x40011000, k4K},
    {"I2C1", 0x40012000, k4K},
    {"I2C2", 0x40013000, k4K},
    {"I2C3", 0x40014000, k4K},
    {"I2C5", 0x40015000, k4K},
    {"CEC", 0x40016000, k4K},
    {"DAC1", 0x40017000, k4K},
    {"UART7", 0x40018000, k4K},
    {"UART8", 0x40019000, k4K},
    {"MDIOS", 0x4001C000, k4K},
    // APB2
    {"TIM1", 0x44000000, k4K},
    {"TIM8", 0x44001000, k4K},
    {"USART6", 0x44003000, k4K},
    {"SPI1", 0x44004000, k4K},
    {"SPI4", 0x44005000, k4K},
    {"TIM15", 0x44006000, k4K},
    {"TIM16", 0x44007000, k4K},
    {"TIM17", 0x44008000, k4K},
    {"SPI5", 0x44009000, k4K},
    {"SAI1", 0x4400A000, k4K},
    {"SAI2", 0x4400B000, k4K},
    {"SAI3", 0x4400C000, k4K},
    {"DFSDM1", 0x4400D000, k4K},
    {"FDCAN1", 0x4400E000, k4K},
    {"FDCAN2", 0x4400F000, k4K},
    {"FDCAN_CCU", 0x44010000, k4K},
    {"SRAMCAN", 0x44011000, 0x3000},
    // AHB2
    {"DMA1", 0x48000000, k4K},
    {"DMA2", 0x48001000, k4K},
    {"DMAMUX1", 0x48002000, k4K},
    {"ADC12", 0x48003000, k4K},
    {"SDMMC3", 0x48004000, k4K},
    {"DLYB_SDMMC3", 0x48005000, k4K},
    {"USBOTG", 0x49000000, 0x40000},
    // AHB3 (the IPCC at 0x4C001000 is the mailbox)
    {"HSEM", 0x4C000000, k4K, PeripheralModel::kHsem},
    {"HASH2", 0x4C002000, k4K},
    {"RNG2", 0x4C003000, k4K},
    {"CRC2", 0x4C004000, k4K},
    {"CRYP2", 0x4C005000, k4K},
    {"DCMI", 0x4C006000, k4K},
    // AHB4
    {"RCC", 0x50000000, k4K, PeripheralModel::kRcc},
    {"PWR", 0x50001000, k4K, PeripheralModel::kPwr},
    {"GPIOA", 0x50002000, k4K, PeripheralModel::kGpio, 0},
    {"GPIOB", 0x50003000, k4K, PeripheralModel::kGpio, 1},
    {"GPIOC", 0x50004000, k4K, PeripheralModel::kGpio, 2},
    {"GPIOD", 0x50005000, k4K, PeripheralModel::kGpio, 3},
    {"GPIOE", 0x50006000, k4K, PeripheralModel::kGpio, 4},
    {"GPIOF", 0x50007000, k4K, PeripheralModel::kGpio, 5},
    {"GPIOG", 0x50008000, k4K, PeripheralModel::kGpio, 6},
    {"GPIOH", 0x50009000, k4K, PeripheralModel::kGpio, 7},
    {"GPIOI", 0x5000A000, k4K, PeripheralModel::kGpio, 8},
    {"GPIOJ", 0x5000B000, k4K, PeripheralModel::kGpio, 9},
    {"GPIOK", 0x5000C000, k4K, PeripheralModel::kGpio, 10},
    {"EXTI", 0x5000D000, k4K, PeripheralModel::kExti},
    // APB3
    {"SYSCFG", 0x50020000, k4K, PeripheralModel::kSyscfg},
    {"LPTIM2", 0x50021000, k4K},
    {"LPTIM3", 0x50022000, k4K},
    {"LPTIM4", 0x50023000, k4K},
    {"LPTIM5", 0x50024000, k4K},
    {"VREFBUF", 0x50025000, k4K},
    {"SAI4", 0x50027000, k4K},
    {"DTS", 0x50028000, k4K},
    {"PMB", 0x50029000, k4K},
    {"HDP", 0x5002A000, k4K},
    // APB debug
    {"DBGMCU", 0x50081000, k4K},
    // AHB5
    {"BKPSRAM", 0x54000000, k4K},
    {"CRYP1", 0x54001000, k4K},
    {"HASH1", 0x54002000, k4K},
    {"RNG1", 0x54003000, k4K},
    {"GPIOZ", 0x54004000, k4K, PeripheralModel::kGpio, 11},
    // AHB6
    {"MDMA", 0x58000000, 0x2000},
    {"FMC", 0x58002000, k4K},
    {"QUADSPI", 0x58003000, k4K},
    {"DLYB_QUADSPI", 0x58004000, k4K},
    {"SDMMC1", 0x58005000, k4K},
    {"DLYB_SDMMC1", 0x58006000, k4K},
    {"SDMMC2", 0x58007000, k4K},
    {"DLYB_SDMMC2", 0x58008000, k4K},
    {"CRC1", 0x58009000, k4K},
    {"ETH1", 0x5800A000, 0x2000},
    {"USB1HSFSP2", 0x5800C000, k4K},
    {"USB1HSFSP1", 0x5800D000, k4K},
    // APB4
    {"DSI", 0x5A000000, k4K},
    {"LTDC", 0x5A001000, k4K},
    {"IWDG2", 0x5A002000, k4K},
    {"DDRCTRL", 0x5A003000, k4K},
    {"DDRPHYC", 0x5A004000, k4K},
    {"STGENR", 0x5A005000, k4K},
    {"USBPHYC", 0x5A006000, k4K},
    {"DDRPERFM", 0x5A007000, k4K},
    // APB5
    {"USART1", 0x5C000000, k4K},
    {"SPI6", 0x5C001000, k4K},
    {"I2C4", 0x5C002000, k4K},
    {"IWDG1", 0x5C003000, k4K},
    {"RTC", 0x5C004000, k4K},
    {"BSEC", 0x5C005000, k4K},
    {"TZC", 0x5C006000, k4K},
    {"TZPC", 0x5C007000, k4K},
    {"STGENC", 0x5C008000, k4K},
    {"I2C6", 0x5C009000, k4K},
    {"TAMP", 0x5C00A000, k4K},
};

}  // namespace

std::vector<PeripheralDescription> stm32mp15_peripherals() {
  std::vector<PeripheralDescription> out;
  out.reserve(std::size(kBlocks));
  for (const Block &b : kBlocks) {
    out.push_back({b.name, b.base, b.size, b.model, b.port});
  }
  std::sort(out.begin(), out.end(),
            [](const PeripheralDescription &a, const PeripheralDescription &b) {
              return a.base < b.base;
            });
  return out;
}

}  // namespace captee::platform
