package burk.spec;

import java.util.List;

/** {@code linux.resources.blockIO}; {@code weight} and {@code leafWeight} are uint16, null = unset. */
public record BlockIoResources(
        Integer weight,
        Integer leafWeight,
        List<WeightDevice> weightDevice,
        List<ThrottleDevice> throttleReadBpsDevice,
        List<ThrottleDevice> throttleWriteBpsDevice,
        List<ThrottleDevice> throttleReadIOPSDevice,
        List<ThrottleDevice> throttleWriteIOPSDevice) {

    public BlockIoResources {
        weightDevice = Copies.list(weightDevice);
        throttleReadBpsDevice = Copies.list(throttleReadBpsDevice);
        throttleWriteBpsDevice = Copies.list(throttleWriteBpsDevice);
        throttleReadIOPSDevice = Copies.list(throttleReadIOPSDevice);
        throttleWriteIOPSDevice = Copies.list(throttleWriteIOPSDevice);
    }
}
