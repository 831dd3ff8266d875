// Generation-checked handles: stale ids are refused, and create/destroy racing with a wait-free
// reader never hands the reader a freed object (ASan/TSan watch this in CI).
#include <atomic>
#include <thread>
#include <vector>

#include "check.hpp"
#include "handle_table.hpp"

struct Item {
    explicit Item(int v) : value(v) {}
    ~Item() { value = -1; }
    int value;
};

int main() {
    parley::HandleTable<Item, 4> table;
    const uint32_t a = table.insert(std::make_shared<Item>(1));
    CHECK(a != 0);
    CHECK(table.get(a)->value == 1);
    CHECK(table.remove(a) != nullptr);
    CHECK(table.get(a) == nullptr);
    CHECK(table.remove(a) == nullptr);  // double destroy
    const uint32_t b = table.insert(std::make_shared<Item>(2));
    CHECK(b != a && (b & 0xFFFF) == (a & 0xFFFF));  // same slot, new generation
    CHECK(table.with_wait_free<int>(a, -2, -5, [](Item &i) { return i.value; }) == -2);
    CHECK(table.with_wait_free<int>(b, -2, -5, [](Item &i) { return i.value; }) == 2);
    CHECK(table.get(0) == nullptr && table.get(0xFFFFFFFF) == nullptr);
    for (int i = 0; i < 3; ++i) CHECK(table.insert(std::make_shared<Item>(i)) != 0);
    CHECK(table.insert(std::make_shared<Item>(9)) == 0);  // full

    parley::HandleTable<Item, 8> churn;
    std::atomic<uint32_t> current{churn.insert(std::make_shared<Item>(0))};
    std::atomic<bool> stop{false};
    std::thread reader([&] {
        long seen = 0;
        while (!stop) {
            const int v = churn.with_wait_free<int>(current.load(), -2, -5, [](Item &i) { return i.value; });
            CHECK(v != -1);  // -1 would be a destroyed item
            seen += v >= 0;
        }
        std::printf("reader saw %ld live lookups\n", seen);
    });
    for (int i = 1; i < 20000; ++i) {
        const uint32_t old = current.load();
        current = churn.insert(std::make_shared<Item>(i));
        CHECK(churn.remove(old) != nullptr);
    }
    stop = true;
    reader.join();
    std::puts("handle table: all cases passed");
    return 0;
}
