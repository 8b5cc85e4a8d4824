package io.starling.broker.core.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Mosquitto's exponentially damped load averages, in events per minute. */
class LoadAverageTest {

    @Test
    void oneMinuteOfEvents_movesTheOneMinuteAverageByOneMinusOneOverE() {
        LoadAverage oneMinute = new LoadAverage(Duration.ofMinutes(1));

        oneMinute.update(60, 60);

        assertThat(oneMinute.value()).isCloseTo(60 * (1 - Math.exp(-1)), within(1e-9)); // 37.93
    }

    @Test
    void longerWindows_followMoreSlowly() {
        LoadAverage five = new LoadAverage(Duration.ofMinutes(5));
        LoadAverage fifteen = new LoadAverage(Duration.ofMinutes(15));

        five.update(60, 60);
        fifteen.update(60, 60);

        assertThat(five.value()).isCloseTo(60 * (1 - Math.exp(-0.2)), within(1e-9)); // 10.88
        assertThat(fifteen.value()).isCloseTo(60 * (1 - Math.exp(-1.0 / 15)), within(1e-9)); // 3.87
    }

    @Test
    void steadyRate_convergesToThatRatePerMinute() {
        LoadAverage oneMinute = new LoadAverage(Duration.ofMinutes(1));

        for (int i = 0; i < 100; i++) {
            oneMinute.update(5, 10); // 5 events every 10 s = 30 per minute
        }

        assertThat(oneMinute.value()).isCloseTo(30, within(0.001));
    }

    @Test
    void noEvents_decaysTowardsZero() {
        LoadAverage oneMinute = new LoadAverage(Duration.ofMinutes(1));
        oneMinute.update(600, 60);
        double before = oneMinute.value();

        oneMinute.update(0, 60);

        assertThat(oneMinute.value()).isCloseTo(before * Math.exp(-1), within(1e-9));
    }

    @Test
    void update_saysWhetherTheAverageMovedByAHundredthOrMore() {
        LoadAverage fifteen = new LoadAverage(Duration.ofMinutes(15));

        assertThat(fifteen.update(0, 10)).isFalse(); // 0.00 stays 0.00: mosquitto publishes nothing
        assertThat(fifteen.update(1, 10)).isTrue(); // 6/min blended in with weight 1 - e^(-10/900): 0.066
        assertThat(fifteen.update(0, 1)).isFalse(); // decays by less than 0.01
    }
}
