// Resident ID numbers (src/common/id_number.h): unwrapping, format problems, check character.
#include "common/id_number.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace heyan::internal {
namespace {

using ::testing::HasSubstr;

TEST(IdNumberTest, UnwrapsWhatExportsPutAroundAnId) {
  EXPECT_EQ(UnwrapIdText("  110101198001010010 "), "110101198001010010");
  EXPECT_EQ(UnwrapIdText("\"110101198001010010\""), "110101198001010010");
  EXPECT_EQ(UnwrapIdText("'110101198001010010'"), "110101198001010010");
  EXPECT_EQ(UnwrapIdText("=\"110101198001010010\""), "110101198001010010");
  EXPECT_EQ(UnwrapIdText("'110101198001010010"), "110101198001010010");
  EXPECT_EQ(UnwrapIdText("\" 110101198001010010 \""), "110101198001010010");
  EXPECT_EQ(UnwrapIdText("\"110101198001010010"), "\"110101198001010010") << "unbalanced: left as is";
  EXPECT_EQ(UnwrapIdText("\"\""), "");
}

TEST(IdNumberTest, FormatProblemsSayWhatIsWrong) {
  EXPECT_EQ(IdFormatProblem("110101198001010010"), "");
  EXPECT_EQ(IdFormatProblem("11010119800101007X"), "");
  EXPECT_EQ(IdFormatProblem("11010119800101007x"), "");
  EXPECT_THAT(IdFormatProblem(""), HasSubstr("为空"));
  EXPECT_THAT(IdFormatProblem("110101800101001"), HasSubstr("15 位"));
  EXPECT_THAT(IdFormatProblem("1.10101E+17"), HasSubstr("科学计数法"));
  EXPECT_THAT(IdFormatProblem("1E17"), HasSubstr("科学计数法"));
  EXPECT_THAT(IdFormatProblem("\xEF\xBC\x91" "10101198001010010"), HasSubstr("全角"));
  EXPECT_THAT(IdFormatProblem("11010119800101007Ｘ"), HasSubstr("全角"));
  EXPECT_THAT(IdFormatProblem("11010119800101001"), HasSubstr("不是 18 位身份证号"));
  EXPECT_THAT(IdFormatProblem("1101011980010100100"), HasSubstr("不是 18 位身份证号"));
  EXPECT_THAT(IdFormatProblem("X10101198001010010"), HasSubstr("不是 18 位身份证号"));
  EXPECT_THAT(IdFormatProblem("11010119800101001Y"), HasSubstr("不是 18 位身份证号"));
  // Long values are shortened in the message.
  EXPECT_LT(IdFormatProblem(std::string(500, '1')).size(), 200u);
}

TEST(IdNumberTest, CheckCharacterIsIso7064Mod11_2) {
  // GB 11643-1999's own example.
  EXPECT_EQ(IdCheckCharacter("11010519491231002"), 'X');
  EXPECT_TRUE(IdCheckCharacterOk("11010519491231002X"));
  EXPECT_TRUE(IdCheckCharacterOk("11010519491231002x"));
  EXPECT_TRUE(IdCheckCharacterOk("110101198001010010"));
  EXPECT_FALSE(IdCheckCharacterOk("110101198001010011"));
  EXPECT_FALSE(IdCheckCharacterOk("410100195001011234"));
  EXPECT_FALSE(IdCheckCharacterOk("11010119800101001"));
}

}  // namespace
}  // namespace heyan::internal
