#include "peripheral.hpp"

#include "gpio.hpp"
#include "hsem.hpp"
#include "stm32mp15_rcc.hpp"
#include "timer.hpp"
#include "usart.hpp"

namespace captee::platform {

std::unique_ptr<Peripheral> make_peripheral(const PeripheralDescription &d,
                                            const PeripheralContext &context) {
  InterruptLines &lines = context.lines;
  switch (d.model) {
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
    case PeripheralModel::kTim2:
      return std::make_unique<Timer>(lines, Timer::kTim2Irq, context.now);
    case PeripheralModel::kGpio:
      return std::make_unique<GpioPort>(*context.gpio, d.port);
    case PeripheralModel::kExti:
      return std::make_unique<Exti>(*context.gpio);
    case PeripheralModel::kNone:
      break;
  }
  return nullptr;
}

}  // namespace captee::platform
