#include "peripheral.hpp"

#include "hsem.hpp"
#include "stm32mp15_rcc.hpp"
#include "usart.hpp"

namespace captee::platform {

std::unique_ptr<Peripheral> make_peripheral(PeripheralModel model, InterruptLines &lines) {
  switch (model) {
    case PeripheralModel::kHsem:
      return std::make_unique<Hsem>(lines);
    case PeripheralModel::kRcc:
      return std::make_unique<Stm32mp15Rcc>();
    case PeripheralModel::kSyscfg:
      return std::make_unique<Stm32mp15Syscfg>();
    case PeripheralModel::kPwr:
      return std::make_unique<Stm32mp15Pwr>();
    case PeripheralModel::kUsart3:
      return std::make_unique<Usart>(lines, Usart::kUsart3Irq);
    case PeripheralModel::kNone:
      break;
  }
  return nullptr;
}

}  // namespace captee::platform
